from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from dbos._dbos_config import process_config, translate_dbos_config_to_config_file

from gateway.settings import DatabaseSettings, Settings, WorkflowSettings
from gateway.workflows.config import (
    dbos_config,
    executor_id,
    system_database_url,
)


def _settings(tmp_path: Path, **kwargs: object) -> Settings:
    return Settings(data_dir=tmp_path, **kwargs)  # type: ignore[arg-type]


class TestSystemDatabaseUrl:
    def test_defaults_to_a_sqlite_file_under_the_data_dir(self, tmp_path: Path) -> None:
        url = system_database_url(_settings(tmp_path))
        assert url == f"sqlite:///{tmp_path.resolve()}/dbos.sqlite3"

    def test_a_relative_data_dir_becomes_an_absolute_path(self) -> None:
        url = system_database_url(Settings(data_dir=Path("data")))
        assert url == f"sqlite:///{Path.cwd()}/data/dbos.sqlite3"

    def test_uses_the_postgresql_database_without_the_async_driver_name(
        self, tmp_path: Path
    ) -> None:
        database = DatabaseSettings(
            url="postgresql+psycopg://roi:s3cret@db.internal:5433/roi?connect_timeout=5"
        )
        url = system_database_url(_settings(tmp_path, database=database))
        assert url == "postgresql://roi:s3cret@db.internal:5433/roi?connect_timeout=5"

    def test_an_explicit_url_wins_and_loses_its_async_driver(self, tmp_path: Path) -> None:
        workflow = WorkflowSettings(system_database_url="sqlite+aiosqlite:////srv/roi/wf.db")
        assert system_database_url(_settings(tmp_path, workflow=workflow)) == (
            "sqlite:////srv/roi/wf.db"
        )

    def test_rejects_a_database_dbos_cannot_use(self, tmp_path: Path) -> None:
        workflow = WorkflowSettings(system_database_url="mysql+pymysql://roi@db/roi")
        with pytest.raises(ValueError, match="mysql"):
            system_database_url(_settings(tmp_path, workflow=workflow))


class TestExecutorId:
    def test_defaults_to_host_and_pid(self, tmp_path: Path) -> None:
        assert executor_id(_settings(tmp_path)) == f"{socket.gethostname()}-{os.getpid()}"

    def test_an_explicit_id_wins(self, tmp_path: Path) -> None:
        settings = _settings(tmp_path, workflow=WorkflowSettings(executor_id="worker-a"))
        assert executor_id(settings) == "worker-a"


class TestDbosConfig:
    def test_carries_the_explicit_application_version_and_executor_id(self, tmp_path: Path) -> None:
        workflow = WorkflowSettings(app_version="roi-gateway-7", executor_id="web-1")
        config = dbos_config(_settings(tmp_path, workflow=workflow))
        assert config["application_version"] == "roi-gateway-7"
        assert config["executor_id"] == "web-1"
        assert config["name"] == "roi-gateway"

    def test_is_accepted_by_dbos_as_is(self, tmp_path: Path) -> None:
        config = dbos_config(_settings(tmp_path, log_level="warning"))
        processed = process_config(data=translate_dbos_config_to_config_file(config))  # type: ignore[arg-type]
        assert processed["system_database_url"] == system_database_url(_settings(tmp_path))
        telemetry = processed.get("telemetry") or {}
        assert (telemetry.get("logs") or {}).get("logLevel") == "WARNING"
        assert telemetry.get("disable_otlp") is True
