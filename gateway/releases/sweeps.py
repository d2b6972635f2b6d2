"""Sweeps that hand releases to their workflows when the enqueue that follows a commit never
happened: a crash between the two, an enqueue that failed, or a web process that runs no
workflows (``ROI_WORKFLOW__ENABLED=false`` beside a ``roi worker``). Each sweep is idempotent by
workflow id, so it may run at any time, alongside handlers that enqueue for themselves.

A process that runs workflows sweeps at start and then every ``workflow.orphan_sweep_s``: the app
in a background task (:func:`sweep_forever`), ``roi worker`` in its loop (:func:`sweep_once`).
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db import build_engine, build_session_maker
from gateway.releases.assembly import sweep_assembling
from gateway.settings import Settings

log = structlog.get_logger(__name__)


async def sweep_releases(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Enqueue what waits on a workflow; how many workflows were (re)started or found."""
    return len(await sweep_assembling(sessions))


async def sweep_forever(sessions: async_sessionmaker[AsyncSession], interval_s: float) -> None:
    """Sweep now and then every ``interval_s`` until cancelled; a failed sweep (database down)
    is logged by its error type and tried again next time."""
    while True:
        try:
            await sweep_releases(sessions)
        except Exception as exc:  # noqa: BLE001 - a background loop must outlive one failure
            log.warning("releases.sweep_failed", error=type(exc).__name__)
        await asyncio.sleep(interval_s)


def sweep_once(settings: Settings) -> int:
    """One sweep from a process without a running event loop (``roi worker``)."""

    async def run() -> int:
        engine = build_engine(settings)
        try:
            return await sweep_releases(build_session_maker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
