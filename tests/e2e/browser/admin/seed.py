"""A synthetic patient with one disclosure in the live gateway's database (no real PHI)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

from gateway.db import build_engine, build_session_maker
from gateway.ledger import append
from gateway.releases.models import Patient, Release
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.integration.accounting import seed

RECIPIENT = seed.SUBPOENA["recipient_name"]


async def _patient_with_a_disclosure(settings: Settings) -> str:
    engine = build_engine(settings)
    now = datetime.now(UTC)
    mrn = f"MRN-{uuid.uuid4().int % 10**8:08d}"
    try:
        sessions = build_session_maker(engine)
        async with sessions() as session, session.begin():
            patient = Patient(
                mrn=mrn,
                family_name=seed.FAMILY,
                given_name=seed.GIVEN,
                birth_date=date(1971, 5, 6),
                identifiers=[],
                created_at=now,
                created_by=seed.STAFF,
            )
            session.add(patient)
            await session.flush()
            release = Release(
                reference=f"R-{uuid.uuid4().hex[:8]}",
                kind="request",
                state="released",
                patient_id=patient.id,
                recipient={"kind": "attorney", "name": RECIPIENT},
                basis_type="subpoena",
                purpose="litigation",
                due_on=date(2026, 4, 1),
                opened_by=seed.STAFF,
                created_at=now,
                updated_at=now,
            )
            session.add(release)
            await session.flush()
            entry = seed.disclosure_of(
                patient.id, date(2026, 3, 4), release_id=release.id, **seed.SUBPOENA
            )
            await append(session, entry, clock=SystemClock())
    finally:
        await engine.dispose()
    return mrn


def patient_with_a_disclosure(settings: Settings) -> str:
    """Its MRN (call through ``off_loop``: it runs an event loop of its own)."""
    return asyncio.run(_patient_with_a_disclosure(settings))
