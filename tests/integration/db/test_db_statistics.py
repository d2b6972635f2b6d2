"""The planner's statistics on SQLite (``gateway.db_statistics``): ANALYZE over the real schema,
daily as the scheduled workflow ``roi.db_statistics``; nothing on PostgreSQL (autovacuum). The
request engines renew SQLite connections hourly, since a connection reads the statistics when it
opens. Marked ``db``: ``ROI_TEST_DB=postgresql`` runs it on PostgreSQL too."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dbos import DBOS
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db import SQLITE_RECYCLE_S, build_engine, build_read_engine, build_session_maker
from gateway.db_statistics import WORKFLOW_NAME, refresh_planner_statistics
from gateway.settings import DatabaseSettings, Settings
from gateway.workflows import destroy_workflows, launch_workflows
from gateway.workflows.registry import schedules
from tests.builders.approval import create_release

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
PREPARER = uuid.UUID("00000000-0000-4000-8000-0000000000ad")
on_sqlite = pytest.mark.only_backend("sqlite")  # a SQLite file's own tables


@pytest.fixture
async def engine(fresh_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(fresh_settings)
    yield engine
    await engine.dispose()


def _sqlite_file(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def _statistics(settings: Settings) -> dict[str, str] | None:
    """``sqlite_stat1`` of the releases' indexes, or None when the database was never analyzed."""
    with sqlite3.connect(_sqlite_file(settings)) as conn:
        known = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        if known is None:
            return None
        rows = conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'releases'")
        return {str(idx): str(stat) for idx, stat in rows}


@on_sqlite
async def test_refresh_analyzes_the_releases_indexes(
    fresh_settings: Settings, engine: AsyncEngine
) -> None:
    sessions = build_session_maker(engine)
    async with sessions() as session, session.begin():
        for _ in range(12):
            await create_release(session, opened_by=PREPARER)
    assert _statistics(fresh_settings) is None

    assert await refresh_planner_statistics(engine) is True

    analyzed = _statistics(fresh_settings)
    assert analyzed is not None
    assert analyzed["ix_releases_due_on_id"].startswith("12 ")  # 12 rows in the index
    assert "ix_releases_organisation_id" in analyzed
    assert await refresh_planner_statistics(engine) is True  # again: same answer, no error


@pytest.mark.only_backend("postgresql")
async def test_postgresql_is_left_to_autovacuum(engine: AsyncEngine) -> None:
    assert await refresh_planner_statistics(engine) is False


def test_the_schedule_uses_the_configured_cron() -> None:
    settings = Settings(database=DatabaseSettings(statistics_cron="7 5 * * *"))
    mine = [s for s in schedules(settings) if s["schedule_name"] == WORKFLOW_NAME]
    assert [s["schedule"] for s in mine] == ["7 5 * * *"]


@on_sqlite
def test_a_tick_analyzes_the_database(fresh_settings: Settings) -> None:
    assert _statistics(fresh_settings) is None
    launch_workflows(fresh_settings)
    try:
        DBOS.trigger_schedule(WORKFLOW_NAME).get_result()
    finally:
        destroy_workflows()
    assert _statistics(fresh_settings) is not None


@on_sqlite
def test_the_sqlite_request_engines_renew_their_connections_hourly(
    fresh_settings: Settings,
) -> None:
    engines = [build_engine(fresh_settings), build_read_engine(fresh_settings)]
    try:
        for engine in engines:
            assert engine is not None
            assert engine.sync_engine.pool._recycle == SQLITE_RECYCLE_S
    finally:
        for engine in engines:
            if engine is not None:
                asyncio.run(engine.dispose())
