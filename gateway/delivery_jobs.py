"""The delivery sweep as a scheduled DBOS workflow: expire links past their time, issue the links
of approved releases that have none, mail unmailed links (``sweep_delivery``), on the cron
schedule ``settings.delivery.sweep_cron`` (default every minute), applied after DBOS launches.

A process that runs workflows runs the sweep this way, and its web app starts no sweep loop of
its own; one without workflows (``ROI_WORKFLOW__ENABLED=false``) keeps the loop of
``gateway.releases.sweeps``. DBOS names each tick's workflow after the schedule and the tick, so
one tick runs once however many processes run the schedule; the sweep is idempotent besides (a
link is issued only for an ``approved`` release, mailed until ``notified_at`` is set).
"""

from __future__ import annotations

from datetime import datetime

import structlog
from dbos import DBOS

from gateway.db import build_engine, build_session_maker
from gateway.releases.delivery import sweep_delivery
from gateway.releases.sweeps import delivery_deps

WORKFLOW_NAME = "roi.delivery_sweep"
log = structlog.get_logger(__name__)


@DBOS.step(name="roi.delivery_sweep.run")
async def _sweep_step() -> dict[str, int]:
    # runtime imports the registry, which imports this module: import it when the step runs.
    from gateway.workflows.runtime import current_settings  # noqa: PLC0415

    settings = current_settings()
    engine = build_engine(settings)
    deps = delivery_deps(settings, build_session_maker(engine))
    try:
        return await sweep_delivery(deps)
    finally:
        await deps.group.close()
        await deps.reader.close()
        await engine.dispose()


@DBOS.workflow(name=WORKFLOW_NAME)
async def delivery_sweep_workflow(scheduled_time: datetime, context: object) -> None:
    """One tick of the delivery sweep (the schedule: settings)."""
    await _sweep_step()
