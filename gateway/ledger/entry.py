"""The values callers hand to the ledger, and their validation (AOD-01, AOD-02, R22).

An entry records one event (``event_type`` is dotted past tense: ``release.approved``). An event
that discloses records to someone also carries a :class:`Disclosure` with the fields the
accounting of disclosures needs (45 CFR 164.528(b)(2)). Idempotency keys and ``details`` must not
hold PHI: use ids (``release:<uuid>:approved``), codes and counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from gateway.ledger.chain import JsonValue, canonical_json
from gateway.ledger.errors import InvalidEntry

EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
MAX_EVENT_TYPE = 64
MAX_ACTOR_ID = 100
MAX_RECIPIENT_NAME = 300
MAX_REQUEST_REF = 200
MAX_TEXT = 4000
MAX_DETAILS_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What the accounting of disclosures needs (AOD-01), and whether it is exempt (AOD-02).

    Either ``recipient_address`` or ``address_unknown=True``; either ``purpose`` or
    ``request_ref`` (a reference to the written request).
    """

    disclosed_on: date
    recipient_name: str
    description: str
    accounting_exempt: bool
    recipient_address: str | None = None
    address_unknown: bool = False
    purpose: str | None = None
    request_ref: str | None = None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One event to append. ``actor_id`` is never empty (R22)."""

    idempotency_key: str
    actor_id: str
    event_type: str
    release_id: UUID | None = None
    patient_id: UUID | None = None
    disclosure: Disclosure | None = None
    details: Mapping[str, JsonValue] = field(default_factory=dict)


def validate(entry: NewEntry) -> None:
    """Raise :class:`InvalidEntry` naming the first bad field (never its value)."""
    _check(IDEMPOTENCY_KEY.fullmatch(entry.idempotency_key) is not None, "idempotency_key")
    _check(_is_text(entry.actor_id, MAX_ACTOR_ID), "actor_id")
    _check(len(entry.event_type) <= MAX_EVENT_TYPE, "event_type")
    _check(EVENT_TYPE.fullmatch(entry.event_type) is not None, "event_type")
    _check(_is_json_object(entry.details), "details")
    if entry.disclosure is not None:
        _check(entry.patient_id is not None, "patient_id")
        validate_disclosure(entry.disclosure)


def validate_disclosure(disclosure: Disclosure) -> None:
    _check(_is_text(disclosure.recipient_name, MAX_RECIPIENT_NAME), "recipient_name")
    _check(_is_text(disclosure.description, MAX_TEXT), "description")
    has_address = disclosure.recipient_address is not None
    _check(has_address != disclosure.address_unknown, "recipient_address")
    if has_address:
        _check(_is_text(disclosure.recipient_address, MAX_TEXT), "recipient_address")
    _check(disclosure.purpose is not None or disclosure.request_ref is not None, "purpose")
    if disclosure.purpose is not None:
        _check(_is_text(disclosure.purpose, MAX_TEXT), "purpose")
    if disclosure.request_ref is not None:
        _check(_is_text(disclosure.request_ref, MAX_REQUEST_REF), "request_ref")


def _check(condition: bool, name: str) -> None:
    if not condition:
        raise InvalidEntry("ledger entry field is invalid", field=name)


def _is_text(value: str | None, limit: int) -> bool:
    if value is None or "\x00" in value:
        return False
    return len(value.strip()) > 0 and len(value) <= limit


def _is_json_object(details: Mapping[str, JsonValue]) -> bool:
    if not isinstance(details, Mapping) or not _is_json(dict(details)):
        return False
    return len(canonical_json(details)) <= MAX_DETAILS_BYTES


def _is_json(value: object) -> bool:
    """Strings, integers, booleans, None, lists and string-keyed objects: no floats (their text
    differs between databases, which would change the hash after a round trip)."""
    if value is None or isinstance(value, bool | int):
        return True
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False
