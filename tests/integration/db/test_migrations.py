"""Migrations build the schema the models describe, on SQLite and PostgreSQL (STYLE.md rule 10)."""

from __future__ import annotations

import sys

import anyio
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from gateway.db import build_engine
from gateway.migrations import runner
from gateway.models import Base
from gateway.settings import Settings

pytestmark = pytest.mark.db


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(fresh_settings: Settings) -> None:
    engine = build_engine(fresh_settings)
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    await engine.dispose()
    assert diff == [], "\n".join(str(d)[:160] for d in diff)


def test_migrations_downgrade_to_base_and_up_again(fresh_settings: Settings) -> None:
    runner.downgrade(fresh_settings, "base")
    runner.upgrade(fresh_settings)


async def test_gateway_models_alone_registers_every_migrated_table(
    fresh_settings: Settings,
) -> None:
    """In a fresh interpreter (no other test's imports), ``gateway.models`` knows every table."""
    engine = build_engine(fresh_settings)
    async with engine.connect() as conn:
        migrated = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    script = "from gateway.models import Base; print(' '.join(sorted(Base.metadata.tables)))"
    process = await anyio.run_process([sys.executable, "-c", script], check=True)
    registered = set(process.stdout.decode().split())
    assert registered == migrated - {"alembic_version"}
