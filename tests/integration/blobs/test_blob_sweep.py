"""The sweep of blobs that no row points at (``gateway/blob_sweep.py``): only blobs older than the
grace period, only under the swept prefixes, and never one that a release, a source record, a
BAA version or a ledger entry's details name. As a scheduled workflow (``roi.blob_sweep``) a tick
deletes an aged orphan of the local store."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import ledger
from gateway.blob_sweep import WORKFLOW_NAME, sweep_orphan_blobs
from gateway.blobs import LocalBlobStore, MemoryBlobStore, build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.releases.models import SourceRecord
from gateway.settings import BlobSweepSettings, Settings
from gateway.workflows import destroy_workflows, launch_workflows
from gateway.workflows.registry import schedules
from kernel.blobs import BlobNotFound, StoredBlob
from kernel.clock import FixedClock
from tests.builders.approval import create_release
from tests.builders.ledger import new_entry
from tests.builders.releases import create_patient, demo_patient
from tests.builders.vendors import baa_terms, create_vendor, pdf_document
from vendors.models import BaaVersion
from vendors.service import VendorService

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
PDF = b"%PDF-1.4\n% synthetic document for the blob sweep\n%%EOF\n"
GRACE = timedelta(hours=48)
ADMIN = uuid.UUID("00000000-0000-4000-8000-0000000000ad")


@pytest.fixture
async def sessions(fresh_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = build_engine(fresh_settings)
    yield build_session_maker(engine)
    await engine.dispose()


async def _exists(store: MemoryBlobStore | LocalBlobStore, blob: StoredBlob) -> bool:
    try:
        await store.stat(blob.key)
    except BlobNotFound:
        return False
    return True


async def test_only_old_blobs_that_nothing_points_at_are_swept(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    store = MemoryBlobStore(clock=clock)

    async def put(prefix: str) -> StoredBlob:
        return await store.put(PDF, content_type="application/pdf", prefix=prefix)

    evidence, record, named = (
        await put("evidence"),
        await put("records/source"),
        await put("evidence"),
    )
    async with sessions() as session, session.begin():
        release = await create_release(session, opened_by=ADMIN, packet=None)
        release.evidence_key = evidence.key
        patient = await create_patient(session, demo_patient())
        session.add(
            SourceRecord(
                patient_id=patient.id,
                document_type="ed_note",
                service_date=clock.now().date(),
                labels=[],
                blob_key=record.key,
                sha256=record.sha256,
                size=record.size,
                page_count=1,
                check={},
                created_at=clock.now(),
                created_by=ADMIN,
            )
        )
        vendors = VendorService(session, blobs=store, clock=clock, max_document_bytes=4096)
        vendor = await create_vendor(vendors)
        await vendors.upload_baa(vendor.id, baa_terms(), pdf_document(), by=ADMIN)
        baa_key = await session.scalar(select(BaaVersion.document_key))
        # an answered hold keeps the earlier authorization, named only in its ledger entry
        details = {"previous_evidence_key": named.key}
        await ledger.append(session, new_entry(details=details), clock=clock)
    orphans = [await put("evidence"), await put("records/source"), await put("baas")]
    packet = await put("packets")  # not a swept prefix
    clock.advance(GRACE + timedelta(hours=1))
    young = await put("evidence")

    dry = await sweep_orphan_blobs(sessions, store, clock, grace=GRACE, dry_run=True)
    assert dry == {"evidence": 1, "records/source": 1, "baas": 1}
    assert all([await _exists(store, blob) for blob in orphans])

    assert await sweep_orphan_blobs(sessions, store, clock, grace=GRACE) == dry
    assert not any([await _exists(store, blob) for blob in orphans])
    for kept in (evidence, record, named, packet, young):
        assert await _exists(store, kept), kept.key
    assert baa_key is not None
    assert await store.stat(baa_key)
    assert await sweep_orphan_blobs(sessions, store, clock, grace=GRACE) == {
        "evidence": 0,
        "records/source": 0,
        "baas": 0,
    }


async def test_a_grace_period_under_a_day_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="24 hours"):
        await sweep_orphan_blobs(sessions, MemoryBlobStore(clock=clock), clock, grace=GRACE / 3)


def test_the_schedule_uses_the_configured_cron() -> None:
    settings = Settings(blob_sweep=BlobSweepSettings(cron="5 4 * * 0"))
    mine = [s for s in schedules(settings) if s["schedule_name"] == WORKFLOW_NAME]
    assert [s["schedule"] for s in mine] == ["5 4 * * 0"]


def test_a_tick_deletes_an_aged_orphan_of_the_local_store(fresh_settings: Settings) -> None:
    store = build_blob_store(fresh_settings)
    assert isinstance(store, LocalBlobStore)
    aged, fresh = (
        asyncio.run(store.put(PDF, content_type="application/pdf", prefix="evidence"))
        for _ in range(2)
    )
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).timestamp()
    os.utime(store.path_of(aged.key), (three_days_ago, three_days_ago))
    launch_workflows(fresh_settings)
    try:
        DBOS.trigger_schedule(WORKFLOW_NAME).get_result()
    finally:
        destroy_workflows()
    assert not store.path_of(aged.key).exists()
    assert store.path_of(fresh.key).exists()
