"""A release's trail in the ledger: its entries, and whether the chain verifies up to each.

"Verifies up to" an entry means the walk from seq 1, checked against the head row (and any
checkpoints), found no break at or before that entry's seq. A forgery that re-hashed the tail
consistently is found only at the head's seq (see docs/decisions/0002-disclosure-ledger.md), so
the whole chain's result is returned with the entries: read ``chain.broken`` before trusting any
single entry's mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.ledger import repository
from gateway.ledger.chain import Anchor, Verification
from gateway.ledger.service import verify_paged


@dataclass(frozen=True, slots=True)
class TrailEntry:
    seq: int
    occurred_at: datetime
    event_type: str
    actor_id: str
    discloses: bool
    chain_verified: bool


@dataclass(frozen=True, slots=True)
class Trail:
    entries: tuple[TrailEntry, ...]
    chain: Verification


def verified_through(chain: Verification, seq: int) -> bool:
    """Whether the walk found no break at or before ``seq``."""
    return chain.broken is None or seq < chain.broken.seq


async def release_trail(
    sessions: async_sessionmaker[AsyncSession],
    release_id: UUID,
    anchors: Sequence[Anchor] = (),
) -> Trail:
    """The entries naming ``release_id`` in seq order, then one verification of the whole chain
    (entries are never changed, so those read first are all inside the walk's snapshot)."""
    async with sessions() as session:
        rows = await repository.entries_of_release(session, release_id)
    chain = await verify_paged(sessions, anchors)
    return Trail(tuple(_entry(row, chain) for row in rows), chain)


def _entry(row: Row[Any], chain: Verification) -> TrailEntry:
    return TrailEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        event_type=row.event_type,
        actor_id=row.actor_id,
        discloses=bool(row.discloses),
        chain_verified=verified_through(chain, row.seq),
    )
