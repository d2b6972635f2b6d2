"""The sweep of blobs that no row points at (a scheduled DBOS workflow, ``roi.blob_sweep``).

A request stores its blob (a signed authorization, a source record, a BAA document) before the
row that points at it commits. When the commit fails, the request's own ``except`` deletes the
blob, but not when the outcome is unknown (the reply to the ``COMMIT`` lost: the row may exist),
when the process dies in between, or when S3 stored an object whose reply never came. Those blobs
hold PHI that nothing refers to; this sweep deletes them.

It is deliberately narrow, because deleting a blob that a row does point at loses a record:
- only the prefixes whose blob and row are written by one request, each with the columns that
  can point at its blobs (:data:`REFERENCES`); packets are not swept (the assembly workflow
  stores a packet in one step and commits its row in a later one, possibly after a long outage,
  and handles its own leftovers);
- only blobs stored more than ``blob_sweep.grace_hours`` ago (48 by default, at least 24);
- a blob is kept when its key is in any of those columns or anywhere in a ledger entry's details
  (an answered hold keeps the earlier authorization and names it there): one pass over the
  entries whose details mention the prefix, per sweep that has candidates.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import structlog
from dbos import DBOS
from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.ledger.models import LedgerEntry
from gateway.releases import evidence, records
from gateway.releases.models import Release, SourceRecord
from gateway.settings import Settings
from kernel.blobs import BlobStore
from kernel.clock import Clock, SystemClock
from vendors import service as vendor_service
from vendors.models import BaaVersion

WORKFLOW_NAME = "roi.blob_sweep"
log = structlog.get_logger(__name__)
# prefix -> the columns whose values are keys under it
REFERENCES: dict[str, tuple[Any, ...]] = {
    evidence.BLOB_PREFIX: (Release.evidence_key,),
    records.BLOB_PREFIX: (SourceRecord.blob_key,),
    vendor_service.BLOB_PREFIX: (BaaVersion.document_key,),
}
CHUNK = 500


async def sweep_orphan_blobs(
    sessions: async_sessionmaker[AsyncSession],
    blobs: BlobStore,
    clock: Clock,
    *,
    grace: timedelta,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete (unless ``dry_run``) the blobs under :data:`REFERENCES`' prefixes that are older
    than ``grace`` and that nothing points at; how many per prefix."""
    if grace < timedelta(hours=24):
        msg = "the grace period is at least 24 hours"
        raise ValueError(msg)
    cutoff: datetime = clock.now() - grace
    found: dict[str, int] = {}
    for prefix, columns in REFERENCES.items():
        candidates = await blobs.keys_stored_before(prefix, cutoff)
        orphans = await unreferenced(sessions, prefix, columns, candidates)
        if not dry_run:
            for key in orphans:
                await blobs.delete(key)
        found[prefix] = len(orphans)
    log.info("blobs.swept", dry_run=dry_run, **{k.replace("/", "_"): v for k, v in found.items()})
    return found


async def unreferenced(
    sessions: async_sessionmaker[AsyncSession],
    prefix: str,
    columns: tuple[Any, ...],
    keys: list[str],
) -> list[str]:
    """The ``keys`` (under ``prefix``) that no row of ``columns`` holds and no ledger entry's
    details name."""
    if not keys:
        return []
    held: set[str] = set()
    async with sessions() as session:
        for column in columns:
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start : start + CHUNK]
                held.update(await session.scalars(select(column).where(column.in_(chunk))))
        left = [key for key in keys if key not in held]
        if left:
            held |= await named_in_ledger(session, prefix)
    return [key for key in left if key not in held]


async def named_in_ledger(session: AsyncSession, prefix: str) -> set[str]:
    """Every key under ``prefix`` that a ledger entry's details name: one pass over the entries
    whose details mention the prefix at all."""
    details = cast(LedgerEntry.details, Text)
    mention = details.contains(f"{prefix}/", autoescape=True)
    pattern = re.compile(rf"{re.escape(prefix)}/[0-9]{{4}}/[0-9]{{2}}/[0-9a-f]{{32}}")
    named: set[str] = set()
    for text in await session.scalars(select(details).where(mention)):
        named.update(pattern.findall(text or ""))
    return named


@DBOS.step(name="roi.blob_sweep.run")
async def _sweep_step() -> dict[str, int]:
    # runtime imports the registry, which imports this module: import it when the step runs.
    from gateway.workflows.runtime import current_settings  # noqa: PLC0415

    settings: Settings = current_settings()
    engine = build_engine(settings)
    clock = SystemClock()
    blobs = build_blob_store(settings, clock=clock)
    try:
        grace = timedelta(hours=settings.blob_sweep.grace_hours)
        return await sweep_orphan_blobs(build_session_maker(engine), blobs, clock, grace=grace)
    finally:
        close = getattr(blobs, "close", None)
        if close is not None:
            close()
        await engine.dispose()


@DBOS.workflow(name=WORKFLOW_NAME)
async def blob_sweep_workflow(scheduled_time: datetime, context: object) -> None:
    """One tick of the blob sweep (the schedule: settings)."""
    await _sweep_step()
