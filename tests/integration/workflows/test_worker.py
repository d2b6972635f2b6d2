"""``roi worker`` executes work enqueued by another process and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbos import DBOSClient, EnqueueOptions

from gateway.workflows import ASSEMBLY_QUEUE
from gateway.workflows.config import APP_NAME
from gateway.workflows.probe import PROBE_WORKFLOW
from tests.integration.workflows.conftest import WorkflowBackend, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.db, pytest.mark.timeout(180)]

ROI = Path(sys.executable).with_name("roi")


@pytest.fixture
def worker_log(tmp_path: Path) -> Path:
    return tmp_path / "worker.log"


@pytest.fixture
def worker(
    workflow_backend: WorkflowBackend, worker_log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with worker_log.open("ab") as out:
        process = subprocess.Popen(
            [str(ROI), "worker"],
            env=workflow_backend.subprocess_env(ROI_WORKFLOW__ORPHAN_SWEEP_S="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: "workflows.worker_ready" in worker_log.read_text(encoding="utf-8"),
            timeout_s=60,
            process=process,
            log=worker_log,
            what="the worker to be ready",
        )
        yield process
    finally:
        stop(process)


def test_the_worker_runs_a_workflow_enqueued_by_another_process_and_stops_on_sigterm(
    workflow_backend: WorkflowBackend, worker: subprocess.Popen[bytes], worker_log: Path
) -> None:
    client = DBOSClient(
        system_database_url=workflow_backend.system_database_url, application_name=APP_NAME
    )
    try:
        options: EnqueueOptions = {
            "workflow_name": PROBE_WORKFLOW,
            "queue_name": ASSEMBLY_QUEUE,
            "app_version": workflow_backend.settings.workflow.app_version,
        }
        handle = client.enqueue(options, "marker-42")
        wait_until(
            lambda: handle.get_status().status == "SUCCESS",
            timeout_s=60,
            process=worker,
            log=worker_log,
            what="the probe workflow to finish",
        )
        assert handle.get_result() == "marker-42"
        assert handle.get_status().executor_id == f"{socket.gethostname()}-{worker.pid}"
    finally:
        client.destroy()

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    text = worker_log.read_text(encoding="utf-8")
    assert "workflows.worker_stopping" in text
    assert "workflows.worker_stopped" in text
