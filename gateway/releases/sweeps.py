"""Sweeps that hand releases to their workflows when the enqueue that follows a commit never
happened: a crash between the two, an enqueue that failed, or a web process that runs no
workflows (``ROI_WORKFLOW__ENABLED=false`` beside a ``roi worker``). Each sweep is idempotent by
workflow id, so it may run at any time, alongside handlers that enqueue for themselves.

A process that runs workflows sweeps at start and then every ``workflow.orphan_sweep_s``: the app
in a background task (:func:`sweep_forever`), ``roi worker`` in its loop (:func:`sweep_once`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.access_tokens import AccessTokens, build_access_tokens
from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker, build_sync_engine
from gateway.mail import Mailer, build_mailer
from gateway.releases.assembly import sweep_assembling
from gateway.releases.delivery import (
    DeliveryDeps,
    DeliveryPolicy,
    GroupWriter,
    SyncReader,
    sweep_delivery,
)
from gateway.settings import Settings
from kernel.blobs import BlobStore
from kernel.clock import Clock, SystemClock

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


async def sweep_delivery_forever(deps: DeliveryDeps, interval_s: float) -> None:
    """Expire links, issue missing ones and mail unmailed ones, every ``interval_s``."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await sweep_delivery(deps)
        except Exception as exc:  # noqa: BLE001 - a background loop must outlive one failure
            log.warning("delivery.sweep_failed", error=type(exc).__name__)


def sweep_once(settings: Settings) -> int:
    """One sweep from a process without a running event loop (``roi worker``): releases that
    wait on a workflow. (Delivery is the scheduled workflow ``roi.delivery_sweep``, which a
    worker runs like any process that runs workflows: ``gateway.delivery_jobs``.)"""

    async def run() -> int:
        engine = build_engine(settings)
        try:
            return await sweep_releases(build_session_maker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def delivery_deps(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock | None = None,
    *,
    tokens: AccessTokens | None = None,
    mailer: Mailer | None = None,
    blobs: BlobStore | None = None,
) -> DeliveryDeps:
    """Delivery's adapters: the ones given, the others built from settings."""
    clock = clock or SystemClock()
    d = settings.delivery
    return DeliveryDeps(
        group=GroupWriter(lambda: build_sync_engine(settings), clock),
        reader=SyncReader(lambda: build_sync_engine(settings, read_only=True)),
        sessions=sessions,
        tokens=tokens or build_access_tokens(settings, clock=clock),
        mailer=mailer or build_mailer(settings, clock=clock),
        blobs=blobs or build_blob_store(settings, clock=clock),
        clock=clock,
        policy=DeliveryPolicy(
            lifetime=timedelta(hours=d.link_lifetime_hours),
            max_uses=d.max_uses,
            code_required=d.code_required,
        ),
        base_url=settings.public_base_url,
    )
