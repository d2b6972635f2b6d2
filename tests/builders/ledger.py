"""Builders of ledger entries for tests: synthetic ids and recipients, never real PHI."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from gateway.ledger import Disclosure, NewEntry
from kernel.clock import FixedClock

_counter = itertools.count(1)
ACTOR = "user-0f3a"
DAY = date(2026, 11, 2)


def clock(at: datetime | None = None) -> FixedClock:
    return FixedClock(at or datetime(2026, 11, 2, 14, 30, 0, 123456, tzinfo=UTC))


def disclosure(**overrides: Any) -> Disclosure:
    values: dict[str, Any] = {
        "disclosed_on": DAY,
        "recipient_name": "Synthetic Law Group LLP",
        "recipient_address": "1 Example Plaza, Springfield, ST 00000",
        "description": "Discharge summary and laboratory results, 2025-01 to 2025-06",
        "purpose": "Litigation (subpoena with satisfactory assurances)",
        "accounting_exempt": False,
    }
    values.update(overrides)
    return Disclosure(**values)


def new_entry(**overrides: Any) -> NewEntry:
    """A non-disclosure event by default; pass ``disclosure=disclosure()`` for a disclosure."""
    values: dict[str, Any] = {
        "idempotency_key": f"test:{next(_counter)}:{uuid4().hex[:8]}",
        "actor_id": ACTOR,
        "event_type": "release.received",
        "release_id": uuid4(),
        "details": {"documents": 3},
    }
    values.update(overrides)
    if values.get("disclosure") is not None and "patient_id" not in overrides:
        values["patient_id"] = uuid4()
    return NewEntry(**values)


def disclosed(patient_id: UUID, **overrides: Any) -> NewEntry:
    """A completed disclosure of ``patient_id``'s records (``download.completed``)."""
    return new_entry(
        event_type="download.completed",
        patient_id=patient_id,
        disclosure=disclosure(**overrides),
    )
