"""Alembic environment: runs migrations over our async engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from gateway.db import build_engine
from gateway.models import Base
from gateway.settings import Settings

config = context.config


def _do_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(settings: Settings) -> None:
    engine = build_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_do_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _run() -> None:
    settings = config.attributes.get("settings")
    if not isinstance(settings, Settings):
        msg = "run migrations through `roi db upgrade` (gateway.migrations.runner)"
        raise TypeError(msg)
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _do_run(connection)
    else:
        asyncio.run(_run_async(settings))


_run()
