"""The default, embedded system database: a SQLite file under the data dir, in WAL mode so that
``roi serve`` and ``roi worker`` can share it. SQLite only, so not marked ``db``."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gateway.settings import Settings
from gateway.workflows import destroy_workflows, launch_workflows, workflows_ready
from gateway.workflows.config import sqlite_path

pytestmark = [pytest.mark.timeout(120)]


def test_launch_creates_the_data_dir_and_a_wal_mode_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "not-yet" / "data", environment="test")
    launch_workflows(settings)
    try:
        assert workflows_ready()
    finally:
        destroy_workflows()
    path = sqlite_path(settings)
    assert path == (tmp_path / "not-yet" / "data" / "dbos.sqlite3").resolve()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
