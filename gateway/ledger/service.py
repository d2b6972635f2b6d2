"""The disclosure ledger: append in the caller's transaction, verify, and account (164.528).

``append`` uses the caller's session and only flushes, so an entry commits or rolls back with the
change it records. Appends are serialised on the single ``ledger_head`` row for the rest of the
caller's transaction (a row lock on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` write lock): append
as the LAST step of a transaction, just before commit, so the head is held for milliseconds. The
head update is also a compare-and-swap, so a lost lock can never fork the chain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, TypeAlias
from uuid import UUID, uuid4

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.ledger import repository
from gateway.ledger.chain import (
    Anchor,
    Break,
    BreakReason,
    ChainRecord,
    ChainVerifier,
    Verification,
    compute_hash,
)
from gateway.ledger.entry import NewEntry, validate
from gateway.ledger.errors import HeadMoved, IdempotencyConflict
from gateway.ledger.models import LedgerEntry, content_of
from gateway.ledger.repository import Head, Snapshot
from kernel.clock import Clock

PAGE_SIZE = 1000
ACCOUNTING_YEARS = 6
_VOLATILE = frozenset({"entry_id", "occurred_at"})

PageReader: TypeAlias = Callable[[int, int], Awaitable[list[Row[Any]]]]


async def append(session: AsyncSession, entry: NewEntry, *, clock: Clock) -> LedgerEntry:
    """Append one entry, or return the one already stored under its idempotency key.

    Raises :class:`IdempotencyConflict` when the key holds an entry with different content.
    The key is looked up under the head lock, so two concurrent retries of one step cannot both
    miss it (PostgreSQL's READ COMMITTED reads the other's committed entry after the lock).
    """
    validate(entry)
    head = await repository.lock_head(session)
    existing = await repository.by_idempotency_key(session, entry.idempotency_key)
    if existing is None:
        return await _extend(session, head, entry, clock.now())
    ensure_same(existing, entry)
    return existing


async def _extend(
    session: AsyncSession, head: Head, entry: NewEntry, occurred_at: datetime
) -> LedgerEntry:
    row = new_row(entry, seq=head.seq + 1, prev_hash=head.entry_hash, occurred_at=occurred_at)
    await repository.add(session, row)
    moved = not await repository.advance_head(
        session, expected=head, to=Head(row.seq, row.entry_hash)
    )
    if moved:
        raise HeadMoved("ledger head moved during append", seq=row.seq)
    return row


def new_row(entry: NewEntry, *, seq: int, prev_hash: str, occurred_at: datetime) -> LedgerEntry:
    """The stored form of an entry at ``seq``, its hash computed over its stored content."""
    return LedgerEntry(**entry_values(entry, seq=seq, prev_hash=prev_hash, occurred_at=occurred_at))


def entry_values(
    entry: NewEntry, *, seq: int, prev_hash: str, occurred_at: datetime
) -> dict[str, Any]:
    """The column values of an entry at ``seq``, ``entry_hash`` included (for ORM rows and for
    Core inserts alike)."""
    disclosure = entry.disclosure
    values: dict[str, Any] = {
        "seq": seq,
        "entry_id": uuid4(),
        "idempotency_key": entry.idempotency_key,
        "occurred_at": occurred_at,
        "actor_id": entry.actor_id,
        "event_type": entry.event_type,
        "release_id": entry.release_id,
        "patient_id": entry.patient_id,
        "disclosed_on": disclosure.disclosed_on if disclosure else None,
        "recipient_name": disclosure.recipient_name if disclosure else None,
        "recipient_address": disclosure.recipient_address if disclosure else None,
        "address_unknown": disclosure.address_unknown if disclosure else False,
        "description": disclosure.description if disclosure else None,
        "purpose": disclosure.purpose if disclosure else None,
        "request_ref": disclosure.request_ref if disclosure else None,
        "accounting_exempt": disclosure.accounting_exempt if disclosure else None,
        "details": dict(entry.details),
        "prev_hash": prev_hash,
    }
    values["entry_hash"] = compute_hash(seq, prev_hash, content_of(SimpleNamespace(**values)))
    return values


def ensure_same(existing: LedgerEntry | Row[Any] | SimpleNamespace, entry: NewEntry) -> None:
    """Raise :class:`IdempotencyConflict` unless ``existing`` (an ORM row, a Core row or the
    values of a row) holds what ``entry`` would store, apart from its id and time."""
    candidate = new_row(entry, seq=0, prev_hash="", occurred_at=existing.occurred_at)
    if _stable(existing) != _stable(candidate):
        raise IdempotencyConflict("idempotency key reused with other content", seq=existing.seq)


def _stable(row: LedgerEntry | Row[Any] | SimpleNamespace) -> dict[str, object]:
    return {k: v for k, v in content_of(row).items() if k not in _VOLATILE}


async def verify(session: AsyncSession, anchors: Sequence[Anchor] = ()) -> Verification:
    """Verify the whole chain inside one session (one transaction): for tests and small ledgers.

    The head row is an anchor; ``anchors`` adds checkpoints recorded elsewhere (R40)."""
    snap = await repository.snapshot(session)

    async def read(after: int, limit: int) -> list[Row[Any]]:
        return await repository.page(session, after=after, upto=snap.max_seq, limit=limit)

    return await _walk(read, snap, anchors)


async def verify_paged(
    sessions: async_sessionmaker[AsyncSession], anchors: Sequence[Anchor] = ()
) -> Verification:
    """Verify in short read transactions of ``PAGE_SIZE`` entries, so appends (which take
    SQLite's write lock) are never held up for the whole walk. Entries never change, so pages
    read after the snapshot see exactly the entries it counted."""
    async with sessions() as session:
        snap = await repository.snapshot(session)

    async def read(after: int, limit: int) -> list[Row[Any]]:
        async with sessions() as page_session:
            return await repository.page(page_session, after=after, upto=snap.max_seq, limit=limit)

    return await _walk(read, snap, anchors)


async def _walk(read: PageReader, snap: Snapshot, anchors: Sequence[Anchor]) -> Verification:
    head = [] if snap.head is None else [Anchor(snap.head.seq, snap.head.entry_hash)]
    verifier = ChainVerifier([*head, *anchors])
    after = 0
    while verifier.broken is None and after < snap.max_seq:
        rows, unreadable = await _read_page(read, after)
        for row in rows:
            if verifier.feed(_record(row)) is not None:
                break
        if unreadable:
            verifier.fail_unreadable()
        if not rows:
            break
        after = rows[-1].seq
    result = verifier.finish()
    if snap.head is None and result.broken is None:
        return replace(result, broken=Break(result.entries + 1, BreakReason.HEAD_MISSING))
    return result


async def _read_page(read: PageReader, after: int) -> tuple[list[Row[Any]], bool]:
    """A page of entries, and whether reading stopped at an entry whose stored values cannot
    be converted (a tampered value of the wrong type): then the readable prefix, one by one."""
    try:
        return await read(after, PAGE_SIZE), False
    except (ValueError, TypeError):
        pass
    rows: list[Row[Any]] = []
    while len(rows) < PAGE_SIZE:
        try:
            batch = await read(after, 1)
        except (ValueError, TypeError):
            return rows, True
        if not batch:
            break
        rows += batch
        after = batch[0].seq
    return rows, False


def _record(row: Row[Any]) -> ChainRecord:
    return ChainRecord(row.seq, row.prev_hash, row.entry_hash, content_of(row))


@dataclass(frozen=True, slots=True)
class AccountingLine:
    """One line of an accounting of disclosures (164.528(b)(2); AOD-01)."""

    seq: int
    entry_id: UUID
    release_id: UUID | None
    disclosed_on: date
    recipient_name: str
    recipient_address: str | None
    address_unknown: bool
    description: str
    purpose: str | None
    request_ref: str | None
    accounting_exempt: bool = False


def accounting_window(until: date, since: date | None = None) -> tuple[date, date]:
    """At most the six years before ``until`` (AOD-03); shorter if ``since`` asks for it."""
    floor = _years_before(until, ACCOUNTING_YEARS)
    return (floor if since is None else max(since, floor)), until


async def accounting_for_patient(
    session: AsyncSession,
    patient_id: UUID,
    since: date | None,
    until: date,
    *,
    include_exempt: bool = False,
) -> list[AccountingLine]:
    """The patient's non-exempt disclosures in the window (AOD-02 exempt ones are left out,
    unless ``include_exempt``: then they are listed too, flagged ``accounting_exempt``)."""
    start, end = accounting_window(until, since)
    rows = await repository.disclosures_for_patient(
        session, patient_id, since=start, until=end, include_exempt=include_exempt
    )
    return [_line(row) for row in rows]


def _line(row: LedgerEntry) -> AccountingLine:
    assert row.disclosed_on is not None  # noqa: S101 - the query selects disclosures only
    return AccountingLine(
        seq=row.seq,
        entry_id=row.entry_id,
        release_id=row.release_id,
        disclosed_on=row.disclosed_on,
        recipient_name=row.recipient_name or "",
        recipient_address=row.recipient_address,
        address_unknown=row.address_unknown,
        description=row.description or "",
        purpose=row.purpose,
        request_ref=row.request_ref,
        accounting_exempt=bool(row.accounting_exempt),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
