"""The workflow runtime in this process: launch, run, probe, stop, launch again."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from dbos import DBOS

from gateway.settings import Settings, WorkflowSettings
from gateway.workflows import (
    ASSEMBLY_QUEUE,
    WorkflowRuntimeAlreadyStarted,
    current_executor_id,
    destroy_workflows,
    launch_workflows,
    start_workflows,
    stop_workflows,
    workflows_ready,
    workflows_ready_async,
)
from gateway.workflows.config import sqlite_path
from gateway.workflows.probe import probe
from tests.integration.workflows.conftest import WorkflowBackend

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


@pytest.fixture
def launched(workflow_backend: WorkflowBackend) -> Iterator[WorkflowBackend]:
    launch_workflows(workflow_backend.settings)
    try:
        yield workflow_backend
    finally:
        destroy_workflows()


def test_a_launched_runtime_is_ready_and_runs_queued_workflows(
    launched: WorkflowBackend,
) -> None:
    assert workflows_ready()
    handle = DBOS.enqueue_workflow(ASSEMBLY_QUEUE, probe, "marker-7")
    assert handle.get_result() == "marker-7"
    assert handle.get_status().executor_id == current_executor_id()


def test_the_assembly_queue_takes_its_worker_concurrency_from_settings(
    launched: WorkflowBackend,
) -> None:
    queue = DBOS.retrieve_queue(ASSEMBLY_QUEUE)
    assert queue is not None
    expected = launched.settings.workflow.assembly_worker_concurrency
    assert queue.worker_concurrency == expected


def test_starting_twice_in_one_process_is_refused(launched: WorkflowBackend) -> None:
    with pytest.raises(WorkflowRuntimeAlreadyStarted):
        launch_workflows(launched.settings)
    assert workflows_ready()


def test_after_destroy_it_is_not_ready_and_can_launch_again(
    workflow_backend: WorkflowBackend,
) -> None:
    launch_workflows(workflow_backend.settings)
    destroy_workflows()
    assert not workflows_ready()
    launch_workflows(workflow_backend.settings)
    try:
        assert DBOS.enqueue_workflow(ASSEMBLY_QUEUE, probe, "again").get_result() == "again"
    finally:
        destroy_workflows()


def test_the_system_tables_live_in_the_configured_database(launched: WorkflowBackend) -> None:
    table = "dbos.workflow_status" if launched.name == "postgresql" else "workflow_status"
    DBOS.enqueue_workflow(ASSEMBLY_QUEUE, probe, "counted").get_result()
    url = sa.make_url(launched.system_database_url)
    if launched.name == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    finally:
        engine.dispose()
    assert count == 1


def test_the_lifespan_hooks_start_and_stop_inside_a_running_event_loop(
    workflow_backend: WorkflowBackend,
) -> None:
    async def lifespan() -> bool:
        await start_workflows(workflow_backend.settings)
        try:
            return await workflows_ready_async()
        finally:
            await stop_workflows()

    assert asyncio.run(lifespan())
    assert not workflows_ready()


def test_the_event_loop_keeps_a_working_thread_pool_after_the_runtime_stops(
    workflow_backend: WorkflowBackend,
) -> None:
    async def serve_then_continue() -> str:
        await start_workflows(workflow_backend.settings)
        await DBOS.list_workflows_async(limit=1)  # DBOS now owns the loop's default executor
        await stop_workflows()
        return await asyncio.to_thread(lambda: "still works")

    assert asyncio.run(serve_then_continue()) == "still works"


def test_a_failed_launch_leaves_no_runtime_behind_and_keeps_its_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workflow=WorkflowSettings(enabled=True))
    with closing(sqlite3.connect(sqlite_path(settings))) as conn:
        conn.execute("CREATE TABLE workflow_status (squatter INTEGER)")  # DBOS's first migration
    with pytest.raises(sa.exc.OperationalError, match="already exists"):
        launch_workflows(settings)
    assert current_executor_id() is None
    assert not workflows_ready()
