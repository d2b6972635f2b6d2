"""Durable workflows on DBOS Transact: configuration, lifecycle, queues, the worker.

See ``docs/decisions/0001-durable-workflows.md``.
"""

from gateway.workflows.config import dbos_config, executor_id, system_database_url
from gateway.workflows.errors import (
    WorkflowError,
    WorkflowRuntimeAlreadyStarted,
    WorkflowRuntimeNotStarted,
)
from gateway.workflows.registry import ASSEMBLY_QUEUE, queue_specs
from gateway.workflows.runtime import (
    current_executor_id,
    destroy_workflows,
    launch_workflows,
    start_workflows,
    stop_workflows,
    sweep_orphans,
    workflows_ready,
    workflows_ready_async,
)

__all__ = [
    "ASSEMBLY_QUEUE",
    "WorkflowError",
    "WorkflowRuntimeAlreadyStarted",
    "WorkflowRuntimeNotStarted",
    "current_executor_id",
    "dbos_config",
    "destroy_workflows",
    "executor_id",
    "launch_workflows",
    "queue_specs",
    "start_workflows",
    "stop_workflows",
    "sweep_orphans",
    "system_database_url",
    "workflows_ready",
    "workflows_ready_async",
]
