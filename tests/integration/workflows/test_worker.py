"""``roi worker`` executes work enqueued by another process and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbos import DBOSClient, EnqueueOptions

from gateway.db import build_engine, build_session_maker
from gateway.releases.models import Release
from gateway.settings import Settings
from gateway.workflows import ASSEMBLY_QUEUE
from gateway.workflows.config import APP_NAME
from gateway.workflows.probe import PROBE_WORKFLOW
from tests.builders.releases import create_patient, create_release, demo_patient
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


def test_the_worker_hands_a_release_left_between_commit_and_enqueue_to_its_assembly(
    workflow_backend: WorkflowBackend, worker_log: Path
) -> None:
    """A release committed to ``assembling`` whose enqueue never happened (a web process that
    runs no workflows, or a crash) is swept by the worker: its assembly runs and settles it
    (here on hold: the release has no matched patient)."""
    settings = workflow_backend.settings
    release_id = asyncio.run(_release_in_assembling(settings))
    with worker_log.open("ab") as out:
        process = subprocess.Popen(
            [str(ROI), "worker"],
            env=workflow_backend.subprocess_env(ROI_WORKFLOW__ORPHAN_SWEEP_S="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: asyncio.run(_state(settings, release_id)) == "on_hold",
            timeout_s=90,
            process=process,
            log=worker_log,
            what="the swept release's assembly to settle it",
        )
    finally:
        stop(process)


async def _release_in_assembling(settings: Settings) -> uuid.UUID:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session, session.begin():
            patient = await create_patient(session, demo_patient())
            release = await create_release(session, patient, patient_id=None, packet_version=1)
            return release.id
    finally:
        await engine.dispose()


async def _state(settings: Settings, release_id: uuid.UUID) -> str:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            release = await session.get(Release, release_id)
            assert release is not None
            return release.state
    finally:
        await engine.dispose()
