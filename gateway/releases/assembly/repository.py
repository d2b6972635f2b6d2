"""Queries of the assembly: releases, records, boxes, runs and packets (no commits here)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.releases.models import (
    AssemblyRun,
    Packet,
    Patient,
    Release,
    ReviewerBox,
    SourceRecord,
)
from gateway.releases.states import State


def workflow_id(release_id: uuid.UUID | str, version: int) -> str:
    return f"assemble:{release_id}:{version}"


async def release(session: AsyncSession, release_id: uuid.UUID) -> Release | None:
    return await session.get(Release, release_id, populate_existing=True)


async def patient(session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
    return await session.get(Patient, patient_id)


async def records_of(session: AsyncSession, patient_id: uuid.UUID) -> list[SourceRecord]:
    query = select(SourceRecord).where(SourceRecord.patient_id == patient_id)
    return list(await session.scalars(query))


async def records_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SourceRecord]:
    rows = await session.scalars(select(SourceRecord).where(SourceRecord.id.in_(ids)))
    return {r.id: r for r in rows}


async def other_mrns(session: AsyncSession, patient_id: uuid.UUID) -> list[str]:
    """Every other patient's MRN (the identity check looks for them on each page)."""
    rows = await session.scalars(select(Patient.mrn).where(Patient.id != patient_id))
    return sorted(rows)


async def live_boxes(session: AsyncSession, release_id: uuid.UUID) -> list[ReviewerBox]:
    query = (
        select(ReviewerBox)
        .where(ReviewerBox.release_id == release_id, ReviewerBox.removed_at.is_(None))
        .order_by(ReviewerBox.created_at, ReviewerBox.id)
    )
    return list(await session.scalars(query))


async def packet(session: AsyncSession, release_id: uuid.UUID, version: int) -> Packet | None:
    query = select(Packet).where(Packet.release_id == release_id, Packet.version == version)
    return (await session.scalars(query)).first()


async def packets(session: AsyncSession, release_id: uuid.UUID) -> list[Packet]:
    query = select(Packet).where(Packet.release_id == release_id).order_by(Packet.version)
    return list(await session.scalars(query))


async def run(session: AsyncSession, release_id: uuid.UUID, version: int) -> AssemblyRun | None:
    query = select(AssemblyRun).where(
        AssemblyRun.release_id == release_id, AssemblyRun.version == version
    )
    return (await session.scalars(query.execution_options(populate_existing=True))).first()


async def latest_run(session: AsyncSession, release_id: uuid.UUID) -> AssemblyRun | None:
    query = (
        select(AssemblyRun)
        .where(AssemblyRun.release_id == release_id)
        .order_by(AssemblyRun.version.desc())
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def ensure_run(
    session: AsyncSession, release_id: uuid.UUID, version: int, *, now: datetime
) -> AssemblyRun:
    """The run row of this version; created (state ``running``) if missing."""
    existing = await run(session, release_id, version)
    if existing is not None:
        return existing
    row = AssemblyRun(
        release_id=release_id,
        version=version,
        workflow_id=workflow_id(release_id, version),
        state="running",
        step="queued",
        pages_done=0,
        pages_total=0,
        started_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def set_progress(
    session: AsyncSession,
    release_id: uuid.UUID,
    version: int,
    *,
    now: datetime,
    **values: object,
) -> None:
    await session.execute(
        update(AssemblyRun)
        .where(
            AssemblyRun.release_id == release_id,
            AssemblyRun.version == version,
            AssemblyRun.finished_at.is_(None),
        )
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


async def assembling_releases(session: AsyncSession) -> list[Release]:
    return list(await session.scalars(select(Release).where(Release.state == "assembling")))


async def claim_first_version(session: AsyncSession, release_id: uuid.UUID) -> None:
    """A release that enters ``assembling`` for the first time gets packet version 1 (one held
    at intake keeps 0: no packet version was ever started for it)."""
    await session.execute(
        update(Release)
        .where(
            Release.id == release_id,
            Release.packet_version == 0,
            Release.state == State.ASSEMBLING.value,
        )
        .values(packet_version=1)
        .execution_options(synchronize_session=False)
    )
