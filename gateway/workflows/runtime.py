"""Start, probe and stop the one DBOS instance of this process.

DBOS is a process-wide singleton, so this module keeps the little state it needs (whether we
launched, a probe engine for readiness) in one private holder; nothing here reads settings: they
are passed in by the composition root (``create_app``, ``roi worker``).

Two forms: ``launch_workflows``/``destroy_workflows`` for code without an event loop (the
worker, scripts, tests), and ``start_workflows``/``stop_workflows`` for Litestar's lifespan hooks,
which use DBOS's ``_async`` forms because its sync forms raise while a loop runs.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import structlog
from dbos import DBOS

from gateway.settings import Settings
from gateway.workflows import registry
from gateway.workflows.config import dbos_config, executor_id, system_database_url
from gateway.workflows.errors import WorkflowRuntimeAlreadyStarted, WorkflowRuntimeNotStarted
from gateway.workflows.recovery import recover_dead_local_executors

log = structlog.get_logger(__name__)

READINESS_TIMEOUT_S = 2
DBOS_CONSOLE_HANDLER = "__dbos_console_log_handler__"


@dataclass
class _Runtime:
    settings: Settings
    executor_id: str
    probe: sa.Engine


_current: _Runtime | None = None


def _configure(settings: Settings) -> _Runtime:
    """Create the DBOS instance (not yet launched) and our bookkeeping for it."""
    global _current  # noqa: PLW0603  (one DBOS per process; see the module docstring)
    if _current is not None:
        raise WorkflowRuntimeAlreadyStarted(executor_id=_current.executor_id)
    url = system_database_url(settings)
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
    _route_dbos_logs()
    DBOS(config=dbos_config(settings))
    _current = _Runtime(settings, executor_id(settings), _probe_engine(url))
    return _current


def _route_dbos_logs() -> None:
    """DBOS adds its own console handler (and stops propagation) unless its logger has one.
    Give it a NullHandler and let it propagate, so its lines go through our logging pipeline
    (format, request id, the sensitive-key filter) like every other library's."""
    dbos_log = logging.getLogger("dbos")
    for handler in list(dbos_log.handlers):
        if handler.name == DBOS_CONSOLE_HANDLER:
            dbos_log.removeHandler(handler)
    if not dbos_log.handlers:
        dbos_log.addHandler(logging.NullHandler())
    dbos_log.propagate = True


def _prepare_sqlite(url: str) -> None:
    """Create the data dir and switch the file to WAL (persistent), so readers never block
    the writer of another process (``roi serve`` and ``roi worker`` share the file)."""
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def _probe_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sa.create_engine(
            parsed, poolclass=sa.NullPool, connect_args={"timeout": READINESS_TIMEOUT_S}
        )
    timeout_ms = READINESS_TIMEOUT_S * 1000
    return sa.create_engine(
        parsed.set(drivername="postgresql+psycopg"),
        poolclass=sa.NullPool,
        connect_args={
            "connect_timeout": READINESS_TIMEOUT_S,
            "options": f"-c statement_timeout={timeout_ms}",
        },
    )


def _after_launch(runtime: _Runtime) -> None:
    """Register the queues and schedules (sync); resume the work of dead processes of this host."""
    for spec in registry.queue_specs(runtime.settings.workflow):
        DBOS.register_queue(
            spec.name,
            worker_concurrency=spec.worker_concurrency,
            polling_interval_sec=spec.polling_interval_s,
        )
    DBOS.apply_schedules(registry.schedules(runtime.settings))
    sweep_orphans()


def sweep_orphans() -> list[str]:
    """Re-enqueue pending workflows of dead ``<host>-<pid>`` executors (sync; see recovery)."""
    runtime = _require()
    recovered = recover_dead_local_executors(
        host=socket.gethostname(),
        own_id=runtime.executor_id,
        app_version=runtime.settings.workflow.app_version,
    )
    if recovered:
        log.info("workflows.recovered", count=len(recovered), workflow_ids=recovered)
    return recovered


def launch_workflows(settings: Settings) -> None:
    """Configure and launch DBOS where no event loop runs (``roi worker``, scripts)."""
    runtime = _configure(settings)
    try:
        DBOS.launch()
        _after_launch(runtime)
    except BaseException:
        _destroy(wait_for_workflows=False)  # nothing ran; and DBOS may not be queryable
        raise
    _log_started(runtime)


async def start_workflows(settings: Settings) -> None:
    """Litestar ``on_startup`` hook body: launch DBOS inside the running loop."""
    if not settings.workflow.enabled:
        log.info("workflows.disabled")
        return
    runtime = _configure(settings)
    try:
        DBOS.launch()  # documented to work inside a running loop; it blocks only at startup
        await asyncio.to_thread(_after_launch, runtime)
    except BaseException:
        _destroy(wait_for_workflows=False)  # nothing ran; and DBOS may not be queryable
        raise
    _log_started(runtime)


async def stop_workflows() -> None:
    """Litestar ``on_shutdown`` hook body."""
    busy = await asyncio.to_thread(_runs_workflows) if _current else False
    _destroy(wait_for_workflows=busy)
    await _restore_default_executor()


async def _restore_default_executor() -> None:
    """DBOS's ``_async`` calls make its executor the loop's default executor, and ``destroy``
    shuts that executor down: ``asyncio.to_thread`` would then fail for the rest of the loop's
    life (an app stopped inside a longer-lived loop, as in tests). Give the loop a fresh one."""
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, _noop)
    except RuntimeError:  # "cannot schedule new futures after shutdown"
        loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio"))


def _noop() -> None:
    return None


def destroy_workflows() -> None:
    """Shut DBOS down and forget it, keeping the workflow registry for a later launch.

    Waits up to ``settings.workflow.shutdown_grace_s`` for workflows this process runs; what is
    still running after that is resumed later by recovery (steps are at-least-once).
    """
    _destroy(wait_for_workflows=_runs_workflows() if _current else False)


def _runs_workflows() -> bool:
    """Whether this executor holds pending workflows (sync DBOS call)."""
    runtime = _require()
    mine = DBOS.list_workflows(
        status="PENDING",
        executor_id=runtime.executor_id,
        limit=1,
        load_input=False,
        load_output=False,
    )
    return bool(mine)


def _destroy(*, wait_for_workflows: bool) -> None:
    global _current
    runtime, _current = _current, None
    # DBOS sleeps at least a second when given any grace: give it only when there is work.
    grace = runtime.settings.workflow.shutdown_grace_s if runtime and wait_for_workflows else 0
    DBOS.destroy(destroy_registry=False, workflow_completion_timeout_sec=grace)
    if runtime is not None:
        runtime.probe.dispose()
        log.info("workflows.stopped", executor_id=runtime.executor_id)


def workflows_ready() -> bool:
    """For ``/ready``: DBOS launched here and its system database answers within 2 s.

    Sync and blocking (up to the timeout): call it from a thread in async code, or use
    :func:`workflows_ready_async`. When workflows are disabled in settings it returns False,
    so ``/ready`` should skip this check when ``settings.workflow.enabled`` is off.
    """
    runtime = _current
    if runtime is None:
        return False
    try:
        with runtime.probe.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


async def workflows_ready_async() -> bool:
    return await asyncio.to_thread(workflows_ready)


def current_settings() -> Settings:
    """The settings DBOS was started with (for workflow steps, which DBOS calls by name)."""
    return _require().settings


def current_executor_id() -> str | None:
    return _current.executor_id if _current else None


def _require() -> _Runtime:
    if _current is None:
        raise WorkflowRuntimeNotStarted()
    return _current


def _log_started(runtime: _Runtime) -> None:
    log.info(
        "workflows.started",
        executor_id=runtime.executor_id,
        app_version=runtime.settings.workflow.app_version,
        backend=runtime.probe.dialect.name,
    )
