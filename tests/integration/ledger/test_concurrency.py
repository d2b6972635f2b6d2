"""Concurrent appenders on separate connections keep one gapless chain (R39, R45)."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import func, select

from gateway.db import build_engine, build_session_maker
from gateway.ledger import LedgerEntry, NewEntry, append, repository
from gateway.settings import Settings
from tests.builders.ledger import clock, new_entry
from tests.integration.ledger.support import sessions, verify_db

pytestmark = [pytest.mark.db, pytest.mark.anyio]

APPENDERS = 20
EACH = 5


async def append_on_own_connection(settings: Settings, entries: list[NewEntry]) -> None:
    """One appender: its own engine (so its own connection), one transaction per entry."""
    engine = build_engine(settings)
    try:
        maker = build_session_maker(engine)
        for entry in entries:
            async with maker() as session:
                await append(session, entry, clock=clock())
                await session.commit()
    finally:
        await engine.dispose()


def patient(settings: Settings) -> Settings:
    """A long SQLite busy timeout: on a loaded 2-core machine SQLite's busy handler (polling, not
    a queue) can leave one of 20 writers waiting past the default 5 s. This test is about the
    chain, not lock timeouts."""
    database = settings.database.model_copy(update={"busy_timeout_ms": 60_000})
    return settings.model_copy(update={"database": database})


async def test_R39_twenty_concurrent_appenders_build_one_gapless_chain(
    fresh_settings: Settings,
) -> None:
    settings = patient(fresh_settings)
    async with anyio.create_task_group() as group:
        for _ in range(APPENDERS):
            entries = [new_entry() for _ in range(EACH)]
            group.start_soon(append_on_own_connection, settings, entries)
    result = await verify_db(fresh_settings)
    assert result.broken is None
    assert result.entries == APPENDERS * EACH
    async with sessions(fresh_settings) as maker, maker() as session:
        seqs = (await session.execute(select(LedgerEntry.seq).order_by(LedgerEntry.seq))).scalars()
        assert list(seqs) == list(range(1, APPENDERS * EACH + 1))
        snap = await repository.snapshot(session)
        assert snap.head is not None
        assert (snap.head.seq, snap.head.entry_hash) == (APPENDERS * EACH, result.last_hash)


async def test_R44_concurrent_retries_of_one_step_write_one_entry(
    fresh_settings: Settings,
) -> None:
    entry = new_entry(event_type="link.issued")
    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(append_on_own_connection, patient(fresh_settings), [entry])
    async with sessions(fresh_settings) as maker, maker() as session:
        total = (await session.execute(select(func.count()).select_from(LedgerEntry))).scalar()
        assert total == 1
    assert (await verify_db(fresh_settings)).ok
