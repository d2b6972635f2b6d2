"""The approval and delivery crash harness at CI size: 30 SIGKILLs of a gateway while staff
approve (one by one, second approvals, bulk) and recipients download, or while it starts; then
0 violations (one link per released release for its verified packet, mailed; approvals on
record; use counts equal to ``download.started``; every download's end after its start;
transitions and ledger entries one to one; ``roi ledger verify``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

REPO_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 30


def test_thirty_kills_during_approval_and_delivery_leave_every_release_consistent(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.e2e.crash_delivery",
            "--count",
            str(ROUNDS),
            "--workdir",
            str(tmp_path / "harness"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    summary = [line for line in done.stdout.splitlines() if line.startswith("crash_delivery")]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert f"rounds={ROUNDS} kills={ROUNDS}" in summary[0]
    assert "violations=0" in summary[0]
    released = re.search(r"released=(\d+)", summary[0])
    assert released is not None
    assert int(released.group(1)) > 0  # the run got as far as deliveries
