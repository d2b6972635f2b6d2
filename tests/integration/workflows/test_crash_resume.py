"""A workflow process killed with SIGKILL mid-step resumes after a restart.

The restarted process has a new pid and so a new executor id: it finds the dead process's
pending workflow through the orphan sweep, and DBOS replays the finished steps from the system
database instead of running them again. Only the step in flight when the process died runs
once more (steps are at-least-once), and its idempotent effect lands once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.workflows.conftest import WorkflowBackend, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.db, pytest.mark.timeout(180)]

REPO_ROOT = Path(__file__).resolve().parents[3]
DEMO = "tests.integration.workflows.crash_demo"


def _start_demo(
    mode: str, workdir: Path, backend: WorkflowBackend, log: Path, **env: str
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", DEMO, mode, str(workdir)],
            cwd=REPO_ROOT,
            env=backend.subprocess_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_killed_workflow_resumes_and_finished_steps_do_not_run_again(
    workflow_backend: WorkflowBackend, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    log = tmp_path / "demo.log"

    first = _start_demo("start", workdir, workflow_backend, log, CRASH_DEMO_HANG_AT="3")
    try:
        wait_until(
            (workdir / "hanging-3").exists,
            timeout_s=90,
            process=first,
            log=log,
            what="step 3 to start",
        )
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop(first)
    assert _lines(workdir / "executions.log") == ["step-1", "step-2", "step-3"]
    assert _lines(workdir / "output.log") == ["step-1", "step-2"]
    assert not (workdir / "result").exists()

    second = _start_demo("resume", workdir, workflow_backend, log)
    try:
        assert second.wait(timeout=120) == 0, log.read_text(encoding="utf-8")
    finally:
        stop(second)

    assert (workdir / "result").read_text(encoding="utf-8") == "completed"
    assert _lines(workdir / "output.log") == ["step-1", "step-2", "step-3", "step-4"]
    # Steps 1 and 2 finished before the kill: replayed from the record, not run. Step 3 was in
    # flight: it ran once more, exactly once. Step 4 ran once.
    assert _lines(workdir / "executions.log") == [
        "step-1",
        "step-2",
        "step-3",
        "step-3",
        "step-4",
    ]
