"""``roi worker``: a process that only executes queued workflows.

It launches DBOS (which dequeues from every registered queue of this application and recovers
its own pending work), and every ``orphan_sweep_s`` sweeps for work left by dead processes of
this host and for releases whose workflow was never enqueued (``gateway.releases.sweeps``),
and on SIGTERM or SIGINT shuts DBOS down and exits 0.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

import structlog

from gateway.logs import configure_logging
from gateway.settings import Settings
from gateway.workflows.registry import queue_specs
from gateway.workflows.runtime import (
    current_executor_id,
    destroy_workflows,
    launch_workflows,
    sweep_orphans,
)

log = structlog.get_logger(__name__)

DBOS_EXECUTOR_THREAD_PREFIX = "dbos-executor-"


def run_worker(settings: Settings) -> None:
    """Block until SIGTERM/SIGINT; then stop cleanly. Must run in the main thread."""
    configure_logging(settings)
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        launch_workflows(settings)
        log.info(
            "workflows.worker_ready",
            executor_id=current_executor_id(),
            queues=[spec.name for spec in queue_specs(settings.workflow)],
        )
        # the workflow registry imports the releases package: import its sweeps when used
        from gateway.releases.sweeps import sweep_once  # noqa: PLC0415

        sweep_releases(sweep_once, settings)
        while not stop.wait(timeout=settings.workflow.orphan_sweep_s):
            sweep_orphans()
            sweep_releases(sweep_once, settings)
        destroy_workflows()
    finally:
        _restore_handlers(previous)
    log.info("workflows.worker_stopped")
    _exit_if_workflow_threads_linger()


def sweep_releases(sweep: Callable[[Settings], int], settings: Settings) -> None:
    """Hand releases left between a commit and its enqueue to their workflows; a failure (the
    database down) is logged by its type and the next round tries again."""
    try:
        sweep(settings)
    except Exception as exc:  # noqa: BLE001 - the worker must outlive one failed sweep
        log.warning("releases.sweep_failed", error=type(exc).__name__)


def _install_stop_handlers(stop: threading.Event) -> dict[int, object]:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("workflows.worker_stopping", signal=signal.Signals(signum).name)
        stop.set()

    previous: dict[int, object] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handle)
    return previous


def _restore_handlers(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]  # what signal.signal returned


def _exit_if_workflow_threads_linger() -> None:
    """A workflow still running past the grace period holds a non-daemon DBOS executor thread,
    and the interpreter would wait for it at exit. Its work is durable (resumed by recovery),
    so leave now instead of hanging the stop."""
    lingering = [t for t in threading.enumerate() if t.name.startswith(DBOS_EXECUTOR_THREAD_PREFIX)]
    if lingering:
        log.warning("workflows.worker_abandoned", threads=len(lingering))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
