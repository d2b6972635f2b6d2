"""The release tables hold their invariants at the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.ledger.models import LedgerEntry
from gateway.releases.errors import ReleaseChanged, TransitionRefused
from gateway.releases.models import Packet, Patient, Release, ReleaseTransition
from gateway.releases.states import State
from gateway.releases.transitions import Move, move
from kernel.clock import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
STAFF = uuid.uuid4()


async def _release(session: AsyncSession, **overrides: object) -> Release:
    patient = Patient(
        mrn=f"MRN{uuid.uuid4().int % 10**8:08d}",
        family_name="Synthetic",
        given_name="Pat",
        birth_date=date(1970, 1, 2),
        identifiers=[],
        created_at=NOW,
        created_by=STAFF,
    )
    session.add(patient)
    await session.flush()
    fields: dict[str, object] = {
        "reference": f"R-{uuid.uuid4().hex[:8]}",
        "kind": "request",
        "state": "received",
        "patient_id": patient.id,
        "recipient": {"kind": "attorney", "name": "Synthetic Law LLP"},
        "basis_type": "authorization",
        "purpose": "litigation",
        "due_on": date(2027, 1, 3),
        "opened_by": STAFF,
        "created_at": NOW,
        "updated_at": NOW,
    }
    release = Release(**(fields | overrides))
    session.add(release)
    await session.flush()
    return release


def _packet(release: Release, version: int) -> Packet:
    return Packet(
        release_id=release.id,
        version=version,
        blob_key=f"packets/{uuid.uuid4().hex}",
        sha256="0" * 64,
        size=10,
        page_count=1,
        provenance=["generated"],
        report={},
        engine_version="test",
        verified=True,
        created_at=NOW,
    )


async def test_a_release_state_outside_the_machine_is_refused(db_session: AsyncSession) -> None:
    with pytest.raises(IntegrityError):
        async with db_session.begin_nested():
            await _release(db_session, state="lost")


async def test_a_work_order_needs_a_vendor_and_a_request_has_none(
    db_session: AsyncSession,
) -> None:
    with pytest.raises(IntegrityError):
        async with db_session.begin_nested():
            await _release(db_session, kind="work_order")


async def test_one_packet_per_release_version(db_session: AsyncSession) -> None:
    release = await _release(db_session)
    db_session.add(_packet(release, 1))
    await db_session.flush()
    db_session.add(_packet(release, 1))
    with pytest.raises(IntegrityError):
        await db_session.flush()


async def test_RET_01_the_database_refuses_to_change_or_delete_a_packet(
    db_session: AsyncSession,
) -> None:
    release = await _release(db_session)
    packet = _packet(release, 1)
    db_session.add(packet)
    await db_session.flush()
    for statement in (
        update(Packet).where(Packet.id == packet.id).values(verified=False),
        delete(Packet).where(Packet.id == packet.id),
    ):
        with pytest.raises(DBAPIError, match="RET-01"):
            async with db_session.begin_nested():
                await db_session.execute(statement)


async def test_a_move_changes_the_state_records_the_transition_and_appends_to_the_ledger(
    db_session: AsyncSession,
) -> None:
    release = await _release(db_session)
    clock = FixedClock(NOW)
    await move(db_session, release, Move(State.CHECKING, actor=f"user:{STAFF}"), clock=clock)
    step = Move(State.REJECTED, actor="system:check", reason_code="AUTH_EXPIRED")
    await move(db_session, release, step, clock=clock)
    assert (release.state, release.row_version) == ("rejected", 3)
    transitions = (
        await db_session.scalars(
            select(ReleaseTransition.to_state).where(ReleaseTransition.release_id == release.id)
        )
    ).all()
    assert sorted(transitions) == ["checking", "rejected"]
    events = (
        await db_session.scalars(
            select(LedgerEntry.event_type).where(LedgerEntry.release_id == release.id)
        )
    ).all()
    assert sorted(events) == ["release.checking", "release.rejected"]
    assert (await ledger.verify(db_session)).ok


async def test_a_move_from_a_stale_read_is_refused_and_changes_nothing(
    db_session: AsyncSession,
) -> None:
    release = await _release(db_session)
    clock = FixedClock(NOW)
    stale = Release(**{c.key: getattr(release, c.key) for c in Release.__table__.columns})
    await move(db_session, release, Move(State.CHECKING, actor="system:test"), clock=clock)
    with pytest.raises(ReleaseChanged):
        await move(db_session, stale, Move(State.CHECKING, actor="system:test"), clock=clock)
    with pytest.raises(TransitionRefused):
        await move(db_session, release, Move(State.RELEASED, actor="system:test"), clock=clock)
    assert (release.state, release.row_version) == ("checking", 2)
