"""An attacker with write access to the database (SECURITY.md attack 8): opens the database file
(SQLite, with the sqlite3 module) or connects with psycopg (PostgreSQL) outside the gateway,
drops the ledger's triggers as an attacker would, and runs raw SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg

from gateway.settings import Settings

SQLITE_TRIGGERS = (
    "ledger_entries_no_update",
    "ledger_entries_no_delete",
    "ledger_entries_extend_head",
    "ledger_head_no_delete",
    "ledger_head_advance",
)
PG_TRIGGERS = (
    ("ledger_entries", "ledger_entries_no_update_delete"),
    ("ledger_entries", "ledger_entries_extend_head"),
    ("ledger_head", "ledger_head_advance"),
)

Statement = tuple[str, Sequence[Any]] | str


def pg_dsn(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def run_sql(settings: Settings, *statements: Statement, drop_triggers: bool = False) -> None:
    """Run raw statements in one transaction directly against the database."""
    if settings.is_postgresql:
        _run_pg(settings, statements, drop_triggers=drop_triggers)
    else:
        _run_sqlite(settings, statements, drop_triggers=drop_triggers)


def tamper(settings: Settings, *statements: Statement) -> None:
    run_sql(settings, *statements, drop_triggers=True)


def _split(statement: Statement) -> tuple[str, Sequence[Any]]:
    return (statement, ()) if isinstance(statement, str) else statement


def _run_sqlite(
    settings: Settings, statements: Sequence[Statement], *, drop_triggers: bool
) -> None:
    connection = sqlite3.connect(settings.data_dir / "roi.sqlite3", isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        if drop_triggers:
            for name in SQLITE_TRIGGERS:
                connection.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in statements:
            sql, params = _split(statement)
            connection.execute(sql.replace("%s", "?"), params)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _run_pg(settings: Settings, statements: Sequence[Statement], *, drop_triggers: bool) -> None:
    with psycopg.connect(pg_dsn(settings)) as connection:
        if drop_triggers:
            for table, name in PG_TRIGGERS:
                connection.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for statement in statements:
            sql, params = _split(statement)
            connection.execute(sql, params)
