"""A workflow backend per test, on the database of the test's own (``fresh_settings``): SQLite
files under tmp_path, or with ``ROI_TEST_DB=postgresql`` a throwaway PostgreSQL database on
127.0.0.1:5432 that holds DBOS's system tables too (schema ``dbos``)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.settings import Settings
from gateway.workflows import system_database_url
from tests.fixtures.app import settings_env


@dataclass(frozen=True)
class WorkflowBackend:
    settings: Settings

    @property
    def name(self) -> str:
        return "postgresql" if self.settings.is_postgresql else "sqlite"

    @property
    def system_database_url(self) -> str:
        return system_database_url(self.settings)

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        """The environment of a subprocess that reads the same settings (plus ``extra``)."""
        return settings_env(self.settings) | {"PYTHONUNBUFFERED": "1"} | extra


@pytest.fixture
def workflow_backend(fresh_settings: Settings) -> WorkflowBackend:
    """Workflows on (the suite turns them off for in-process apps: see tests/conftest.py)."""
    workflow = fresh_settings.workflow.model_copy(update={"enabled": True})
    return WorkflowBackend(fresh_settings.model_copy(update={"workflow": workflow}))


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout_s: float,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    what: str = "condition",
) -> None:
    """Poll ``condition``; fail early (with the process log) if ``process`` exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"process exited ({process.returncode}) before {what}:\n{_tail(log)}")
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout_s} s waiting for {what}:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(encoding="utf-8", errors="replace")[-4000:]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a subprocess left running by a failed test."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
