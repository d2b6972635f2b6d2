"""Every workflow and queue of the gateway, in one place.

``roi serve`` and ``roi worker`` both import this module before DBOS launches, so both register
the same workflows under the same names; together with the explicit application version this is
what lets a worker run (and recover) what the web process enqueued. A module that defines
workflows is imported here, at the top, and nowhere is a workflow registered lazily.

DBOS 3.4.0 keeps queues in its system database and can register them only after launch, so the
queues are declared here as specs (names fixed at import; limits from settings) and registered by
``gateway.workflows.runtime`` right after ``DBOS.launch()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbos import ScheduleInput

import gateway.workflows.probe  # noqa: F401  (registers roi.probe)
from gateway import (  # roi.blob_sweep, roi.db_statistics, roi.delivery_sweep, roi.baa_expiry
    blob_sweep,
    db_statistics,
    delivery_jobs,
    vendors_jobs,
)
from gateway.releases.assembly import workflow as _assembly  # noqa: F401  (roi.assemble_packet)
from gateway.settings import Settings, WorkflowSettings

ASSEMBLY_QUEUE = "assembly"


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    worker_concurrency: int | None = None
    polling_interval_s: float = 1.0


def queue_specs(settings: WorkflowSettings) -> tuple[QueueSpec, ...]:
    """The queues this deployment runs, with per-process limits taken from settings."""
    return (QueueSpec(ASSEMBLY_QUEUE, worker_concurrency=settings.assembly_worker_concurrency),)


def schedules(settings: Settings) -> list[ScheduleInput]:
    """The cron schedules this deployment runs (created or replaced after launch): each
    scheduled workflow with the cron of its settings."""
    table = (
        (
            vendors_jobs.WORKFLOW_NAME,
            vendors_jobs.baa_expiry_workflow,
            settings.vendors.expiry_notice_cron,
        ),
        (
            delivery_jobs.WORKFLOW_NAME,
            delivery_jobs.delivery_sweep_workflow,
            settings.delivery.sweep_cron,
        ),
        (blob_sweep.WORKFLOW_NAME, blob_sweep.blob_sweep_workflow, settings.blob_sweep.cron),
        (
            db_statistics.WORKFLOW_NAME,
            db_statistics.statistics_workflow,
            settings.database.statistics_cron,
        ),
    )
    return [
        ScheduleInput(schedule_name=name, workflow_fn=workflow, schedule=cron)
        for name, workflow, cron in table
    ]
