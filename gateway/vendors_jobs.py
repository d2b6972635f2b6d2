"""The BAA expiry notice: a scheduled DBOS workflow that tells administrators which BAAs end
within ``settings.vendors.expiring_within_days``, on the cron schedule
``settings.vendors.expiry_notice_cron`` (default hourly), applied after DBOS launches.

One mail per administrator per day at most, listing vendor names and end dates (vendor names are
not PHI; no patient data is ever in it). Run hourly, a process that was down at one tick catches
up at the next; :class:`~gateway.notices.NoticeSent` rows (one per kind, day and recipient) make
every run after the first of a day send nothing. A row is claimed in the transaction that sends:
a failed send rolls the claim back and the next run retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import structlog
from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.models import User
from gateway.auth.rules import Role
from gateway.db import build_engine, build_session_maker
from gateway.mail import Mailer, OutgoingMail, build_mailer
from gateway.notices import NoticeSent
from kernel.clock import Clock, SystemClock
from vendors import ExpiringBaa, expiring_baas

NOTICE_KIND = "baa_expiry"
WORKFLOW_NAME = "roi.baa_expiry"
log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ExpiryNoticeResult:
    expiring: int
    sent: int
    already_sent: int


def compose(to: str, day: date, expiring: Sequence[ExpiringBaa], within_days: int) -> OutgoingMail:
    lines = [f"- {baa.vendor_name}: ends {baa.ends_on.isoformat()}" for baa in expiring]
    text = (
        f"These business associate agreements end within {within_days} days of "
        f"{day.isoformat()}:\n\n" + "\n".join(lines) + "\n\nRenew or replace them before they "
        "end: from the day after its end date a vendor may no longer receive records (BA-01).\n"
    )
    subject = f"ROI Gateway: {len(expiring)} BAA(s) expiring within {within_days} days"
    return OutgoingMail(to=to, subject=subject, text=text)


async def _admins(session: AsyncSession) -> list[User]:
    query = select(User).where(User.role == Role.ADMIN.value, User.disabled.is_(False))
    return list(await session.scalars(query.order_by(User.email)))


async def _notify_one(
    session_maker: async_sessionmaker[AsyncSession],
    mailer: Mailer,
    admin: User,
    mail: OutgoingMail,
    *,
    day: date,
    clock: Clock,
) -> bool:
    """Claim (kind, day, admin) and send in one transaction; False if claimed already."""
    async with session_maker() as session, session.begin():
        if await session.get(NoticeSent, (NOTICE_KIND, day, admin.id)) is not None:
            return False
        claim = NoticeSent(
            kind=NOTICE_KIND, day=day, user_id=admin.id, message_id="", sent_at=clock.now()
        )
        session.add(claim)
        await session.flush()  # a concurrent claim fails here, before any mail goes out
        claim.message_id = await mailer.send(mail)
    return True


async def notify_expiring_baas(
    session_maker: async_sessionmaker[AsyncSession],
    mailer: Mailer,
    *,
    day: date,
    within_days: int,
    clock: Clock,
) -> ExpiryNoticeResult:
    """The job: mail every active administrator the BAAs ending within ``within_days`` of
    ``day``, once per day; nothing when none is ending."""
    async with session_maker() as session:
        expiring = await expiring_baas(session, day, within_days)
        admins = await _admins(session) if expiring else []
    sent = 0
    for admin in admins:
        mail = compose(admin.email, day, expiring, within_days)
        sent += await _notify_one(session_maker, mailer, admin, mail, day=day, clock=clock)
    log.info("baa_expiry.notified", expiring=len(expiring), sent=sent, day=day.isoformat())
    return ExpiryNoticeResult(len(expiring), sent, len(admins) - sent)


@DBOS.step(name="roi.baa_expiry.notify")
async def _notify_step(day: str) -> int:
    # runtime imports the registry, which imports this module: import it when the step runs.
    from gateway.workflows.runtime import current_settings  # noqa: PLC0415

    settings = current_settings()
    engine = build_engine(settings)
    try:
        result = await notify_expiring_baas(
            build_session_maker(engine),
            build_mailer(settings),
            day=date.fromisoformat(day),
            within_days=settings.vendors.expiring_within_days,
            clock=SystemClock(),
        )
    finally:
        await engine.dispose()
    return result.sent


@DBOS.workflow(name=WORKFLOW_NAME)
async def baa_expiry_workflow(scheduled_time: datetime, context: object) -> None:
    """The BAA expiry notice of the scheduled time's UTC day (the schedule: settings)."""
    await _notify_step(scheduled_time.astimezone(UTC).date().isoformat())
