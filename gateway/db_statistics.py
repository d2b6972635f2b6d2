"""The query planner's statistics on SQLite: ``ANALYZE`` once a day (the scheduled workflow
``roi.db_statistics``, ``database.statistics_cron``), approximate (``analysis_limit``: a few
hundred rows per index, milliseconds on a large table).

SQLite has no autovacuum: a database that was never analyzed plans every query on guesses. With
100,000 releases, the approval queue filtered by requester type picked the organisation index,
read the 40,000 releases of those organisations and sorted them for a page of 50 (44-58 ms); with
statistics it walks the due-date index and stops after 50 rows (0.3 ms). Those two figures come
from a one-off ``EXPLAIN QUERY PLAN`` on a copy of the benchmark's database; the benchmark's own
before and after are in bench/README.md and bench/queue_results/.
PostgreSQL keeps its own statistics (autovacuum's ANALYZE); there this does nothing.
"""

from __future__ import annotations

from datetime import datetime

from dbos import DBOS
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db import build_engine
from gateway.settings import Settings

WORKFLOW_NAME = "roi.db_statistics"
ANALYSIS_LIMIT = 1000  # rows examined per index: approximate, bounded statistics


async def refresh_planner_statistics(engine: AsyncEngine) -> bool:
    """``ANALYZE`` the whole SQLite database in one write transaction; False (nothing done) on
    PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return False
    async with engine.begin() as conn:
        await conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        await conn.exec_driver_sql("ANALYZE")
    return True


@DBOS.step(name="roi.db_statistics.run")
async def _refresh_step() -> bool:
    # runtime imports the registry, which imports this module: import it when the step runs.
    from gateway.workflows.runtime import current_settings  # noqa: PLC0415

    settings: Settings = current_settings()
    engine = build_engine(settings)
    try:
        return await refresh_planner_statistics(engine)
    finally:
        await engine.dispose()


@DBOS.workflow(name=WORKFLOW_NAME)
async def statistics_workflow(scheduled_time: datetime, context: object) -> None:
    """One tick of the statistics refresh (the schedule: settings)."""
    await _refresh_step()
