"""Synthetic patients, releases and ledger entries for the accounting tests (no real PHI)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from litestar import Litestar

from gateway.ledger import NewEntry, append
from gateway.releases.models import Patient, Release
from tests.builders.ledger import clock as ledger_clock
from tests.builders.ledger import disclosure, new_entry
from tests.fixtures.auth import session_maker

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STAFF = uuid.uuid4()
FAMILY, GIVEN = "Quillfeather-Synthetic", "Odalys"
SUBPOENA = {
    "recipient_name": "Synthetic Law Group LLP",
    "recipient_address": "1 Example Plaza, Springfield, ST 00000",
    "description": "Discharge summary and laboratory results, 2025-01 to 2025-06",
    "purpose": "Litigation: subpoena with satisfactory assurances (164.512(e))",
    "request_ref": "subpoena R-5150",
}
AUTHORIZED = {
    "recipient_name": "Synthetic Mutual Insurance",
    "recipient_address": "9 Policy Road, Springfield, ST 00000",
    "description": "Operative report, 2026-02",
    "purpose": "Life insurance application (patient's authorization)",
    "accounting_exempt": True,
}


async def patient(app: Litestar) -> Patient:
    row = Patient(
        mrn=f"MRN-{uuid.uuid4().int % 10**8:08d}",
        family_name=FAMILY,
        given_name=GIVEN,
        birth_date=date(1971, 5, 6),
        identifiers=[],
        created_at=NOW,
        created_by=STAFF,
    )
    async with session_maker(app)() as session, session.begin():
        session.add(row)
    return row


async def release(
    app: Litestar, patient_id: uuid.UUID, *, organisation_id: uuid.UUID | None = None
) -> Release:
    row = Release(
        organisation_id=organisation_id,
        reference=f"R-{uuid.uuid4().hex[:8]}",
        kind="request",
        state="received",
        patient_id=patient_id,
        recipient={"kind": "attorney", "name": "Synthetic Law Group LLP"},
        basis_type="subpoena",
        purpose="litigation",
        due_on=date(2026, 12, 27),
        opened_by=STAFF,
        created_at=NOW,
        updated_at=NOW,
    )
    async with session_maker(app)() as session, session.begin():
        session.add(row)
    return row


async def write(app: Litestar, *entries: NewEntry) -> list[int]:
    """Append entries, each in a transaction of its own; their seqs."""
    seqs = []
    for entry in entries:
        async with session_maker(app)() as session, session.begin():
            row = await append(session, entry, clock=ledger_clock())
            seqs.append(row.seq)
    return seqs


def disclosure_of(
    patient_id: uuid.UUID, day: date, *, release_id: uuid.UUID | None = None, **fields: Any
) -> NewEntry:
    """A completed disclosure (``download.completed``) of the patient's records on ``day``."""
    return new_entry(
        event_type="download.completed",
        patient_id=patient_id,
        release_id=release_id or uuid.uuid4(),
        disclosure=disclosure(disclosed_on=day, **fields),
    )


def event_of(release_id: uuid.UUID, event_type: str, **fields: Any) -> NewEntry:
    return new_entry(release_id=release_id, event_type=event_type, **fields)
