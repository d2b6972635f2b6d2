"""Derive the DBOS Transact configuration from our settings. Pure: no DBOS instance, no I/O.

DBOS 3.4.0 takes a ``DBOSConfig`` dict whose keys are ``name``, ``system_database_url``,
``application_version``, ``executor_id`` and ``log_level`` (among others); see
``docs/decisions/0001-durable-workflows.md``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from dbos import DBOSConfig
from sqlalchemy.engine import make_url

from gateway.settings import Settings

APP_NAME = "roi-gateway"
SQLITE_FILE_NAME = "dbos.sqlite3"


def default_executor_id() -> str:
    """``<host>-<pid>``: unique per process; the orphan sweep parses it back (see ``recovery``)."""
    return f"{socket.gethostname()}-{os.getpid()}"


def executor_id(settings: Settings) -> str:
    return settings.workflow.executor_id or default_executor_id()


def system_database_url(settings: Settings) -> str:
    """The URL DBOS opens: explicit, else the PostgreSQL database, else a SQLite file."""
    explicit = settings.workflow.system_database_url
    if explicit:
        return _sync_driver_url(explicit)
    if settings.is_postgresql:
        return _sync_driver_url(settings.database_url)
    return f"sqlite:///{sqlite_path(settings)}"


def sqlite_path(settings: Settings) -> Path:
    """The default SQLite system database file (absolute), used when no URL says otherwise."""
    return (settings.data_dir / SQLITE_FILE_NAME).resolve()


def _sync_driver_url(url: str) -> str:
    """DBOS names the dialect only (``postgresql://``, ``sqlite://``) and picks its own driver.

    Our URLs carry an async driver (``postgresql+psycopg``, ``sqlite+aiosqlite``): drop it,
    keep host, credentials, database and query as they are.
    """
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect not in {"postgresql", "sqlite"}:
        raise ValueError(f"DBOS supports PostgreSQL and SQLite system databases, not {dialect}")
    return parsed.set(drivername=dialect).render_as_string(hide_password=False)


def dbos_log_level(settings: Settings) -> str:
    """DBOS logs through its own handler (not structlog) and chats at INFO (one line per schema
    migration): keep it at WARNING unless we debug. Our own ``workflows.*`` events say what
    happened (started, recovered, stopped)."""
    if settings.log_level == "debug":
        return "DEBUG"
    return "ERROR" if settings.log_level == "error" else "WARNING"


def dbos_config(settings: Settings) -> DBOSConfig:
    """The ``DBOSConfig`` for this process."""
    return {
        "name": APP_NAME,
        "system_database_url": system_database_url(settings),
        "application_version": settings.workflow.app_version,
        "executor_id": executor_id(settings),
        "log_level": dbos_log_level(settings),
        # Off unless asked: no OTLP export leaves the machine.
        "enable_otlp": False,
    }
