"""A fresh workflow backend per test: SQLite files under tmp_path, or (``ROI_TEST_DB=postgresql``)
a throwaway PostgreSQL database on 127.0.0.1:5432 that holds DBOS's system tables too."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gateway.settings import DatabaseSettings, Settings
from gateway.workflows import system_database_url
from tests.conftest import in_ci, test_database_backend

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@dataclass(frozen=True)
class WorkflowBackend:
    name: str
    settings: Settings
    env: dict[str, str]  # the ROI_ environment a subprocess needs for the same settings

    @property
    def system_database_url(self) -> str:
        return system_database_url(self.settings)

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
        return base | {"PYTHONUNBUFFERED": "1"} | self.env | extra


@pytest.fixture
def workflow_backend(tmp_path: Path) -> Iterator[WorkflowBackend]:
    data_dir = tmp_path / "data"
    env = {"ROI_DATA_DIR": str(data_dir), "ROI_ENVIRONMENT": "test"}
    if test_database_backend() != "postgresql":
        yield WorkflowBackend("sqlite", Settings(data_dir=data_dir, environment="test"), env)
        return
    with throwaway_postgresql_database() as url:
        settings = Settings(
            data_dir=data_dir, environment="test", database=DatabaseSettings(url=url)
        )
        yield WorkflowBackend("postgresql", settings, env | {"ROI_DATABASE__URL": url})


class throwaway_postgresql_database:  # noqa: N801  (used as a context manager, like a function)
    """Create ``roi_wf_<random>`` on the local server; drop it (kicking connections) on exit."""

    def __init__(self) -> None:
        self.name = f"roi_wf_{secrets.token_hex(6)}"

    def __enter__(self) -> str:
        _admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"

    def __exit__(self, *_exc: object) -> None:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        _admin_execute(drop.format(sql.Identifier(self.name)))


def _admin_execute(statement: sql.Composed) -> None:
    try:
        conn = psycopg.connect(PG_ADMIN_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with conn:
        conn.execute(statement)


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
