"""Queries of the disclosure ledger. Only flushes; the caller's transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger.models import HEAD_ID, LedgerEntry, LedgerHead


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    entry_hash: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The head and the highest stored seq, read in one statement (one consistent view)."""

    head: Head | None
    max_seq: int


async def by_idempotency_key(session: AsyncSession, key: str) -> LedgerEntry | None:
    query = select(LedgerEntry).where(LedgerEntry.idempotency_key == key)
    return (await session.execute(query)).scalar_one_or_none()


async def by_idempotency_keys(session: AsyncSession, keys: list[str]) -> dict[str, LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.idempotency_key.in_(keys))
    return {row.idempotency_key: row for row in (await session.execute(query)).scalars()}


async def lock_head(session: AsyncSession) -> Head:
    """Read the head with a row lock (PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``
    already holds the database's write lock). Held until the caller's transaction ends."""
    query = (
        select(LedgerHead.seq, LedgerHead.entry_hash)
        .where(LedgerHead.id == HEAD_ID)
        .with_for_update()
    )
    row = (await session.execute(query)).one()
    return Head(row.seq, row.entry_hash)


async def add(session: AsyncSession, entry: LedgerEntry) -> None:
    session.add(entry)
    await session.flush([entry])


async def advance_head(session: AsyncSession, *, expected: Head, to: Head) -> bool:
    """Compare-and-swap: move the head only if it is still where the caller read it."""
    statement = (
        update(LedgerHead)
        .where(LedgerHead.id == HEAD_ID, LedgerHead.seq == expected.seq)
        .values(seq=to.seq, entry_hash=to.entry_hash)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def snapshot(session: AsyncSession) -> Snapshot:
    highest = select(func.coalesce(func.max(LedgerEntry.seq), 0)).scalar_subquery()
    query = select(LedgerHead.seq, LedgerHead.entry_hash, highest).where(LedgerHead.id == HEAD_ID)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        max_seq = (await session.execute(select(highest))).scalar_one()
        return Snapshot(None, int(max_seq))
    return Snapshot(Head(row[0], row[1]), int(row[2]))


async def page(session: AsyncSession, *, after: int, upto: int, limit: int) -> list[Row[Any]]:
    """Entries with ``after < seq <= upto`` in seq order, as plain rows (no ORM objects)."""
    table = LedgerEntry.__table__
    query = (
        select(*table.columns)
        .where(table.c.seq > after, table.c.seq <= upto)
        .order_by(table.c.seq)
        .limit(limit)
    )
    return list(await session.execute(query))


async def disclosures_for_patient(
    session: AsyncSession,
    patient_id: UUID,
    *,
    since: date,
    until: date,
    include_exempt: bool = False,
) -> list[LedgerEntry]:
    """Disclosures of one patient with ``since <= disclosed_on <= until``: the non-exempt ones,
    or every one with ``include_exempt``."""
    query = (
        select(LedgerEntry)
        .where(
            LedgerEntry.patient_id == patient_id,
            LedgerEntry.disclosed_on >= since,
            LedgerEntry.disclosed_on <= until,
        )
        .order_by(LedgerEntry.disclosed_on, LedgerEntry.seq)
    )
    if not include_exempt:
        query = query.where(LedgerEntry.accounting_exempt.is_(False))
    return list((await session.execute(query)).scalars())


async def entries_of_release(session: AsyncSession, release_id: UUID) -> list[Row[Any]]:
    """The entries that name ``release_id``, in seq order, as plain rows of the columns a trail
    shows (no ORM objects, no disclosure text)."""
    table = LedgerEntry.__table__
    columns = (table.c.seq, table.c.occurred_at, table.c.event_type, table.c.actor_id)
    query = (
        select(*columns, table.c.disclosed_on.is_not(None).label("discloses"))
        .where(table.c.release_id == release_id)
        .order_by(table.c.seq)
    )
    return list(await session.execute(query))
