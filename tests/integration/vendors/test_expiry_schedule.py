"""The expiry notice runs as a DBOS scheduled workflow: triggering the schedule mails the admins
through the configured mailer (the outbox here)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from dbos import DBOS

from gateway.auth import create_user
from gateway.db import build_engine, build_session_maker
from gateway.settings import Settings
from gateway.vendors_jobs import WORKFLOW_NAME
from gateway.workflows import destroy_workflows, launch_workflows
from kernel.clock import FixedClock
from tests.builders.vendors import create_baa, create_vendor, vendor_service
from tests.fixtures.auth import CHEAP_PASSWORDS

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


async def _seed(settings: Settings) -> None:
    clock = FixedClock(datetime.now(UTC))
    engine = build_engine(settings)
    maker = build_session_maker(engine)
    try:
        async with maker() as session, session.begin():
            await create_user(
                session,
                email="admin-schedule@example.test",
                role="admin",
                passwords=CHEAP_PASSWORDS,
                clock=clock,
            )
            service = vendor_service(session, clock)
            vendor = await create_vendor(service, name="Scheduled Copy (synthetic)")
            today = clock.now().date()
            await create_baa(
                service,
                vendor,
                effective_on=today - timedelta(days=5),
                ends_on=today + timedelta(days=3),
            )
    finally:
        await engine.dispose()


def test_triggering_the_schedule_mails_the_notice(fresh_settings: Settings) -> None:
    asyncio.run(_seed(fresh_settings))
    launch_workflows(fresh_settings)
    try:
        DBOS.trigger_schedule(WORKFLOW_NAME).get_result()
    finally:
        destroy_workflows()
    mails = list((fresh_settings.data_dir / "outbox").glob("*.eml"))
    assert len(mails) == 1
    assert "Scheduled Copy (synthetic)" in mails[0].read_text()
