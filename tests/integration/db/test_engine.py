"""The database engine holds the settings DESIGN.md and SECURITY.md R45 ask for, on each backend."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import text

from gateway.db import build_engine
from gateway.settings import DatabaseSettings, Settings
from tests.fixtures.db import backend

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
