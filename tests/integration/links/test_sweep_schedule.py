"""The delivery sweep runs as a DBOS scheduled workflow (``roi.delivery_sweep``): the schedule is
registered with the configured cron, a tick issues the link of an approved release and mails it
through the configured mailer (the outbox here), and a second tick changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from dbos import DBOS
from sqlalchemy import func, select

from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.delivery_jobs import WORKFLOW_NAME
from gateway.releases.delivery import DeliveryLink
from gateway.releases.models import Release
from gateway.settings import DeliverySettings, Settings
from gateway.workflows import destroy_workflows, launch_workflows
from gateway.workflows.registry import schedules
from tests.builders.approval import create_release, packet_row

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
PDF = b"%PDF-1.4\n% synthetic packet for the scheduled sweep\n%%EOF\n"


def test_the_schedule_uses_the_configured_cron() -> None:
    settings = Settings(delivery=DeliverySettings(sweep_cron="*/5 * * * *"))
    mine = [s for s in schedules(settings) if s["schedule_name"] == WORKFLOW_NAME]
    assert [s["schedule"] for s in mine] == ["*/5 * * * *"]


async def _approved(settings: Settings) -> uuid.UUID:
    """An approved release with a verified packet whose blob is stored, and no link yet (the
    after-approval delivery never ran)."""
    stored = await build_blob_store(settings).put(
        PDF, content_type="application/pdf", prefix="packets"
    )
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session, session.begin():
            release = await create_release(
                session,
                opened_by=uuid.uuid4(),
                state="approved",
                packet=None,
                created_at=datetime.now(UTC),
                recipient_email="records@synthetic-law.example",
            )
            release.packet_version = 1
            packet = packet_row(release)
            packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
            session.add(packet)
            return release.id
    finally:
        await engine.dispose()


async def _state(settings: Settings, release_id: uuid.UUID) -> tuple[str, int]:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            state = await session.scalar(select(Release.state).where(Release.id == release_id))
            links = await session.scalar(
                select(func.count())
                .select_from(DeliveryLink)
                .where(DeliveryLink.release_id == release_id, DeliveryLink.notified_at.is_not(None))
            )
            return str(state), int(links or 0)
    finally:
        await engine.dispose()


def test_a_tick_issues_and_mails_the_missing_link_once(fresh_settings: Settings) -> None:
    release_id = asyncio.run(_approved(fresh_settings))
    launch_workflows(fresh_settings)
    try:
        DBOS.trigger_schedule(WORKFLOW_NAME).get_result()
        after_first = asyncio.run(_state(fresh_settings, release_id))
        mails = sorted((fresh_settings.data_dir / "outbox").glob("*.eml"))
        DBOS.trigger_schedule(WORKFLOW_NAME).get_result()
        after_second = asyncio.run(_state(fresh_settings, release_id))
    finally:
        destroy_workflows()
    assert after_first == ("released", 1)
    assert len(mails) == 1
    assert "/l/" in mails[0].read_text()
    assert after_second == after_first  # nothing issued or mailed twice
    assert sorted((fresh_settings.data_dir / "outbox").glob("*.eml")) == mails
