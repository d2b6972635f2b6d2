"""The process's adapters, built once from settings in the composition root and shared by the
app (as dependencies) and the CLI. Nothing else constructs an engine, a store or a client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import structlog
from litestar.di import Provide
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import redaction
from gateway.access_tokens import AccessTokens, build_access_tokens
from gateway.blobs import S3BlobStore, build_blob_store
from gateway.db import build_engine, build_read_engine, build_session_maker
from gateway.mail import Mailer, build_mailer
from gateway.pdfpool import PdfPool, build_pdf_pool
from gateway.ratelimit import MemoryRateLimiter, SharedRateLimiter
from gateway.releases import assembly
from gateway.releases.delivery import DeliveryDeps
from gateway.releases.sweeps import delivery_deps, sweep_delivery_forever, sweep_forever
from gateway.settings import Settings
from gateway.workflows import start_workflows, stop_workflows, workflows_ready_async
from kernel.blobs import BlobStore
from kernel.clock import Clock, SystemClock

log = structlog.get_logger()
READY_TIMEOUT_S = 5.0


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    blobs: BlobStore
    mailer: Mailer
    pdf_pool: PdfPool
    clock: Clock
    access_tokens: AccessTokens
    delivery: DeliveryDeps
    # one budget for every process (codes, exports); the download path's per-process one
    rate_limiter: SharedRateLimiter
    download_limiter: MemoryRateLimiter
    read_engine: AsyncEngine | None = None
    workflows_started: bool = field(default=False)
    background: set[asyncio.Task[object]] = field(default_factory=set)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if not self.settings.workflow.enabled:  # else the scheduled roi.delivery_sweep does it
            interval = self.settings.delivery.sweep_interval_s
            self.background.add(loop.create_task(sweep_delivery_forever(self.delivery, interval)))
        if self.settings.pdf.eager_start:
            await self.pdf_pool.start()
        if self.settings.workflow.enabled:
            deps = assembly.AssemblyDeps(self.settings, self.blobs, self.pdf_pool, self.clock)
            assembly.install(deps)
            await start_workflows(self.settings)
            self.workflows_started = True
            # in the background: a backlog of releases must not hold up the start
            sessions = build_session_maker(self.engine)
            sweep = sweep_forever(sessions, self.settings.workflow.orphan_sweep_s)
            self.background.add(asyncio.get_running_loop().create_task(sweep))

    async def stop(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        self.background.clear()
        if self.workflows_started:
            await stop_workflows()
            self.workflows_started = False
            await assembly.close()
        await self.pdf_pool.close()
        if isinstance(self.blobs, S3BlobStore):
            self.blobs.close()
        await self.delivery.group.close()
        await self.delivery.reader.close()
        if self.read_engine is not None:
            await self.read_engine.dispose()
        await self.engine.dispose()

    def dependencies(self) -> dict[str, Provide]:
        def provider(value: Any) -> Provide:
            return Provide(lambda: value, sync_to_thread=False, use_cache=True)

        return {
            "blobs": provider(self.blobs),
            "mailer": provider(self.mailer),
            "pdf_pool": provider(self.pdf_pool),
            "clock": provider(self.clock),
            "access_tokens": provider(self.access_tokens),
            "settings": provider(self.settings),
        }

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state by name; values are fixed words, never error text."""
        checks = {"database": await _ok(self._check_database)}
        checks["blob_store"] = await _ok(self.blobs.check)
        if self.settings.workflow.enabled:
            checks["workflows"] = "ok" if await workflows_ready_async() else "failing"
        if self.settings.pdf.eager_start:
            checks["pdf_workers"] = "ok" if self.pdf_pool.ready() else "failing"
        return checks

    async def _check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


async def _ok(check: Any) -> str:
    try:
        with anyio.fail_after(READY_TIMEOUT_S):
            await check()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; only its type is logged
        log.warning("ready.check_failed", error_type=type(exc).__name__)
        return "failing"
    return "ok"


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    clock = clock or SystemClock()
    engine = build_engine(settings)
    blobs = build_blob_store(settings, clock=clock)
    mailer = build_mailer(settings, clock=clock)
    # Loads the keyring, creating the key file on first start (SECURITY.md R7).
    access_tokens = build_access_tokens(settings, clock=clock)
    sessions = build_session_maker(engine)
    read_engine = build_read_engine(settings)
    delivery = replace(
        delivery_deps(settings, sessions, clock, tokens=access_tokens, mailer=mailer, blobs=blobs),
        read_sessions=build_session_maker(read_engine) if read_engine else sessions,
    )
    return Services(
        settings=settings,
        engine=engine,
        blobs=blobs,
        mailer=mailer,
        pdf_pool=build_pdf_pool(settings, redaction.apply_process_limits),
        clock=clock,
        access_tokens=access_tokens,
        delivery=delivery,
        rate_limiter=SharedRateLimiter(sessions, clock),
        download_limiter=MemoryRateLimiter(clock),
        read_engine=read_engine,
    )
