"""Safe retries of a submission (R44): an ``Idempotency-Key`` per principal, kept for a
configurable time (24 hours by default) in ``idempotency_records``.

Same key and same body: the first response again. Same key, another body: refused
(``IDEMPOTENCY_KEY_REUSED``). The record is inserted FIRST in the submission's transaction, inside
a savepoint: a concurrent duplicate waits on the primary key (PostgreSQL) or on the write lock
(SQLite, ``BEGIN IMMEDIATE``), then finds the committed record and replays it, so two concurrent
calls never create two releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.releases.models import IdempotencyRecord
from gateway.releases.request_errors import IdempotencyKeyReused
from gateway.releases.submissions import Idempotency
from kernel.clock import Clock


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: dict[str, Any]


async def _existing(
    session: AsyncSession, principal: str, idem: Idempotency, clock: Clock
) -> IdempotencyRecord | None:
    row = await session.get(IdempotencyRecord, (principal, idem.key), populate_existing=True)
    if row is not None and row.expires_at <= clock.now():
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == idem.key
            )
        )
        session.expunge(row)
        return None
    return row


def _replay(row: IdempotencyRecord, idem: Idempotency) -> Replay:
    if row.request_sha256 != idem.fingerprint:
        raise IdempotencyKeyReused("the key was used with another request")
    return Replay(row.status_code, row.response)


async def reserve(
    session: AsyncSession, principal: str, idem: Idempotency, *, hours: int, clock: Clock
) -> IdempotencyRecord | Replay:
    """The new record to complete after the work, or the earlier response to replay."""
    row = await _existing(session, principal, idem, clock)
    if row is not None:
        return _replay(row, idem)
    now = clock.now()
    record = IdempotencyRecord(
        principal=principal,
        key=idem.key,
        request_sha256=idem.fingerprint,
        status_code=0,
        response={},
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    try:
        async with session.begin_nested():
            session.add(record)
    except IntegrityError:
        row = await _existing(session, principal, idem, clock)
        if row is None:  # the other call rolled back; a retry will find the key free
            raise
        return _replay(row, idem)
    return record


async def complete(
    session: AsyncSession, record: IdempotencyRecord, status_code: int, body: dict[str, Any]
) -> None:
    record.status_code = status_code
    record.response = body
    await session.flush()
