"""The BAA expiry notice: one mail per administrator per day, vendor names and end dates only,
sent over real SMTP to the test sink; and its DBOS schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth import create_user
from gateway.auth.rules import Role
from gateway.db import build_engine, build_session_maker
from gateway.mail import SmtpMailer
from gateway.settings import MailSettings, Settings
from gateway.vendors_jobs import WORKFLOW_NAME, notify_expiring_baas
from gateway.workflows.registry import schedules
from kernel.clock import FixedClock
from tests.builders.vendors import NOW, TODAY, create_baa, create_vendor, vendor_service
from tests.fixtures.auth import CHEAP_PASSWORDS
from tests.fixtures.smtp import SmtpSink

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


async def _user(maker: async_sessionmaker[AsyncSession], role: Role, clock: FixedClock) -> str:
    email = f"{role.value}-{clock.now().timestamp():.0f}@example.test"
    async with maker() as session, session.begin():
        await create_user(
            session, email=email, role=role.value, passwords=CHEAP_PASSWORDS, clock=clock
        )
    return email


async def _seed(maker: async_sessionmaker[AsyncSession]) -> None:
    async with maker() as session, session.begin():
        service = vendor_service(session)
        soon = await create_vendor(service, name="Soon Scan Co (synthetic)")
        await create_baa(service, soon, ends_on=TODAY + timedelta(days=12))
        later = await create_vendor(service, name="Later Copy Co (synthetic)")
        await create_baa(service, later, ends_on=TODAY + timedelta(days=200))


async def test_admins_get_one_notice_a_day_listing_vendor_names_and_end_dates(
    fresh_settings: Settings, smtp_sink: SmtpSink
) -> None:
    clock = FixedClock(NOW)
    engine = build_engine(fresh_settings)
    maker = build_session_maker(engine)
    admin = await _user(maker, Role.ADMIN, clock)
    clock.advance(timedelta(seconds=1))
    await _user(maker, Role.SPECIALIST, clock)
    mail = MailSettings(backend="smtp", smtp_host=smtp_sink.host, smtp_port=smtp_sink.port)
    mailer = SmtpMailer(mail, clock=clock)
    try:
        await _seed(maker)
        first = await notify_expiring_baas(maker, mailer, day=TODAY, within_days=30, clock=clock)
        again = await notify_expiring_baas(maker, mailer, day=TODAY, within_days=30, clock=clock)
        tomorrow = TODAY + timedelta(days=1)
        next_day = await notify_expiring_baas(
            maker, mailer, day=tomorrow, within_days=30, clock=clock
        )
    finally:
        await engine.dispose()
    assert (first.expiring, first.sent, again.sent, again.already_sent) == (1, 1, 0, 1)
    assert next_day.sent == 1
    assert [to for _, tos in smtp_sink.envelopes for to in tos] == [admin, admin]
    body = smtp_sink.messages[0].get_content()
    assert "Soon Scan Co (synthetic): ends " + (TODAY + timedelta(days=12)).isoformat() in body
    assert "Later Copy Co" not in body


async def test_no_expiring_baa_means_no_mail(fresh_settings: Settings, smtp_sink: SmtpSink) -> None:
    clock = FixedClock(NOW)
    engine = build_engine(fresh_settings)
    await _user(build_session_maker(engine), Role.ADMIN, clock)
    mail = MailSettings(backend="smtp", smtp_host=smtp_sink.host, smtp_port=smtp_sink.port)
    try:
        result = await notify_expiring_baas(
            build_session_maker(engine),
            SmtpMailer(mail, clock=clock),
            day=TODAY,
            within_days=30,
            clock=clock,
        )
    finally:
        await engine.dispose()
    assert (result.expiring, result.sent) == (0, 0)
    assert smtp_sink.messages == []


def test_the_notice_is_scheduled_on_the_configured_cron() -> None:
    settings = Settings(vendors={"expiry_notice_cron": "15 7 * * *"})  # type: ignore[arg-type]
    [schedule] = [s for s in schedules(settings) if s["schedule_name"] == WORKFLOW_NAME]
    assert (schedule["schedule_name"], schedule["schedule"]) == (WORKFLOW_NAME, "15 7 * * *")
