"""The database engine holds the settings DESIGN.md and SECURITY.md R45 ask for, on each backend."""

from __future__ import annotations

import anyio
import psycopg
import pytest
from sqlalchemy import text

from gateway import db
from gateway.db import build_engine, build_sync_engine
from gateway.settings import DatabaseSettings, Settings
from tests.fixtures.db import PG_ADMIN_DSN, backend

pytestmark = pytest.mark.db

PLAIN_READ = "SELECT n FROM counter"
LOCKING_READ = "SELECT n FROM counter FOR UPDATE"


@pytest.mark.only_backend("sqlite")
async def test_R45_sqlite_runs_wal_synchronous_full_and_foreign_keys(
    fresh_settings: Settings,
) -> None:
    engine = build_engine(fresh_settings)
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 2  # FULL
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 5000
    await engine.dispose()


@pytest.mark.only_backend("postgresql")
async def test_R45_postgresql_sessions_carry_statement_timeouts(fresh_settings: Settings) -> None:
    engine = build_engine(fresh_settings)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SHOW statement_timeout"))).scalar() == "8s"
        assert (await conn.execute(text("SHOW lock_timeout"))).scalar() == "8s"
    await engine.dispose()


async def test_R45_concurrent_writers_serialise_without_lost_updates(
    fresh_settings: Settings,
) -> None:
    """Read-then-write in parallel: BEGIN IMMEDIATE (SQLite) or a row lock (PG) loses nothing."""
    engine = build_engine(fresh_settings)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        await conn.execute(text("INSERT INTO counter VALUES (0)"))
    if backend() == "postgresql":
        await engine.dispose()
        engine = build_engine(fresh_settings)

    async def locked_increment() -> None:
        async with engine.begin() as conn:
            select = LOCKING_READ if backend() == "postgresql" else PLAIN_READ
            value = (await conn.execute(text(select))).scalar_one()
            await anyio.sleep(0.01)
            await conn.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(locked_increment)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM counter"))).scalar_one() == 5
    await engine.dispose()


def test_an_unknown_database_scheme_is_refused(tmp_path: object) -> None:
    settings = Settings(database=DatabaseSettings(url="mysql://nowhere/db"))
    with pytest.raises(ValueError, match="unsupported"):
        build_engine(settings)


@pytest.mark.only_backend("postgresql")
def test_the_sync_engine_pings_only_a_connection_that_sat_idle(
    fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back to back (the downloads' group commit under load), no ping; after
    ``PING_AFTER_IDLE_S`` of idleness, a connection the server dropped meanwhile is found by
    the ping and replaced, so the next use works."""
    engine = build_sync_engine(fresh_settings)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda raw: pings.append(raw) or ping(raw))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        for _ in range(3):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == first
        assert pings == []
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != first
        assert len(pings) == 1
    finally:
        engine.dispose()
