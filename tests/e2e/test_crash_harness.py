"""The crash harness at CI size: 30 SIGKILLs of a gateway that is assembling packets, then 0
violations (state, packets, ledger entries, blobs, ``roi ledger verify``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.db, pytest.mark.timeout(900)]

REPO_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 30


def test_thirty_kills_during_assembly_leave_every_release_consistent(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.e2e.crash_harness",
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
    summary = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert f"rounds={ROUNDS} kills={ROUNDS} releases={ROUNDS}" in summary[0]
    assert "violations=0" in summary[0]
