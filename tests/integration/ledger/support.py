"""Helpers for ledger tests that need a database of their own (``fresh_settings``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db import build_engine, build_session_maker
from gateway.ledger import Verification, append, verify_paged
from gateway.ledger.chain import Anchor
from gateway.settings import Settings
from tests.builders.ledger import clock, disclosed, new_entry


@asynccontextmanager
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = build_engine(settings)
    try:
        yield build_session_maker(engine)
    finally:
        await engine.dispose()


async def fill(settings: Settings, count: int) -> list[str]:
    """Append ``count`` committed entries (every other one a disclosure); their hashes by seq-1."""
    hashes: list[str] = []
    async with sessions(settings) as maker, maker() as session:
        for index in range(count):
            entry = disclosed(uuid4()) if index % 2 else new_entry()
            row = await append(session, entry, clock=clock())
            await session.commit()
            hashes.append(row.entry_hash)
    return hashes


async def verify_db(settings: Settings, anchors: list[Anchor] | None = None) -> Verification:
    async with sessions(settings) as maker:
        return await verify_paged(maker, anchors or [])
