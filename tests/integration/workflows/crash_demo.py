"""A small four-step workflow for the crash-and-resume test, run as a subprocess.

``python -m tests.integration.workflows.crash_demo start WORKDIR`` enqueues the workflow on the
assembly queue and waits for it; with ``CRASH_DEMO_HANG_AT=N`` step N writes ``hanging-N`` and
then blocks, so the test can SIGKILL the process mid-step (a file handshake, no sleeps).
``... resume WORKDIR`` only launches (recovery does the rest) and waits for the result.

Every execution of a step appends ``step-N`` to ``executions.log``; the step's effect, a line
``step-N`` in ``output.log``, is written only if absent (idempotent, as steps must be: DBOS runs
a step at least once). Settings come from the ``ROI_`` environment like the real processes.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from dbos import DBOS, SetWorkflowID

from gateway.logs import configure_logging
from gateway.settings import load_settings
from gateway.workflows import ASSEMBLY_QUEUE, destroy_workflows, launch_workflows

WORKFLOW_ID = "crash-demo-1"
STEPS = 4
RESULT_TIMEOUT_S = 60.0


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@DBOS.step(name="crash_demo.record")
def record_step(workdir: str, number: int) -> None:
    root = Path(workdir)
    _append(root / "executions.log", f"step-{number}")
    if os.environ.get("CRASH_DEMO_HANG_AT") == str(number):
        (root / f"hanging-{number}").touch()
        while True:  # until SIGKILL
            time.sleep(1)
    output = root / "output.log"
    done = output.read_text(encoding="utf-8").splitlines() if output.exists() else []
    if f"step-{number}" not in done:
        _append(output, f"step-{number}")


@DBOS.workflow(name="crash_demo.four_steps")
def four_steps(workdir: str) -> str:
    for number in range(1, STEPS + 1):
        record_step(workdir, number)
    return "completed"


def _wait_for_result() -> str:
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    handle = DBOS.retrieve_workflow(WORKFLOW_ID)
    while time.monotonic() < deadline:
        if handle.get_status().status == "SUCCESS":
            return str(handle.get_result())
        time.sleep(0.2)
    raise TimeoutError(f"workflow {WORKFLOW_ID} did not finish")


def main(mode: str, workdir: str) -> None:
    settings = load_settings()
    configure_logging(settings)
    launch_workflows(settings)
    try:
        if mode == "start":
            with SetWorkflowID(WORKFLOW_ID):
                DBOS.enqueue_workflow(ASSEMBLY_QUEUE, four_steps, workdir)
        result = _wait_for_result()
        (Path(workdir) / "result").write_text(result, encoding="utf-8")
    finally:
        destroy_workflows()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
