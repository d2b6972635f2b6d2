"""What the assembly steps use, per process: settings, blob store, PDF pool, clock.

DBOS calls workflow steps by name, with serialisable arguments only, so the adapters cannot be
passed in. The composition root installs its own (``Services.start``: the app's blob store and
PDF pool); a process that did not (``roi worker``, a test that launches DBOS itself) gets adapters
built once from the settings DBOS was launched with, and closes them with :func:`close`.
Database engines are not shared: DBOS runs async steps on its own event loop, so each step
opens an engine on the loop it runs in and disposes it at the end (as ``vendors_jobs`` does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import redaction
from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.pdfpool import PdfPool, build_pdf_pool
from gateway.settings import Settings
from kernel.blobs import BlobStore
from kernel.clock import Clock, SystemClock


@dataclass(slots=True)
class AssemblyDeps:
    settings: Settings
    blobs: BlobStore
    pool: PdfPool
    clock: Clock
    owned: bool = False  # built here (closed by :func:`close`), not installed by the app

    @asynccontextmanager
    async def sessions(self) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
        """A session maker over an engine of the running event loop, disposed afterwards."""
        engine = build_engine(self.settings)
        try:
            yield build_session_maker(engine)
        finally:
            await engine.dispose()


_installed: AssemblyDeps | None = None


def install(deps: AssemblyDeps) -> None:
    """Called by the composition root before DBOS launches."""
    global _installed  # noqa: PLW0603  (one set of adapters per process, like DBOS itself)
    _installed = deps


def current() -> AssemblyDeps:
    """The installed adapters, or ones built from DBOS's settings on first use."""
    global _installed  # noqa: PLW0603
    if _installed is None:
        # runtime imports the registry, which imports the workflow: import it when used.
        from gateway.workflows.runtime import current_settings  # noqa: PLC0415

        settings = current_settings()
        clock = SystemClock()
        _installed = AssemblyDeps(
            settings=settings,
            blobs=build_blob_store(settings, clock=clock),
            pool=build_pdf_pool(settings, redaction.apply_process_limits),
            clock=clock,
            owned=True,
        )
    return _installed


async def close() -> None:
    """Forget the adapters; close the pool if it was built here."""
    global _installed
    deps, _installed = _installed, None
    if deps is not None and deps.owned:
        await deps.pool.close()
