"""Load the synthetic demo data into an empty database: staff, a requester organisation and its
user. Credentials are returned to the caller (the CLI prints them once), never logged."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import create_user
from gateway.auth.models import User
from kernel.clock import Clock

log = structlog.get_logger()

DEMO_ORGANISATION = "Hargrove & Pike LLP (synthetic)"
DEMO_USERS = (
    ("admin@demo.roi.invalid", "admin", None),
    ("specialist@demo.roi.invalid", "specialist", None),
    ("attorney@demo.roi.invalid", "attorney", DEMO_ORGANISATION),
)


@dataclass(frozen=True, slots=True)
class DemoCredential:
    email: str
    role: str
    one_time_password: str
    totp_uri: str


async def database_is_empty(session: AsyncSession) -> bool:
    count = await session.scalar(select(func.count()).select_from(User))
    return not count


async def load_demo(session: AsyncSession, *, clock: Clock) -> list[DemoCredential]:
    """Create the demo accounts in the caller's transaction."""
    credentials = []
    for email, role, organisation in DEMO_USERS:
        new = await create_user(
            session, email=email, role=role, organisation=organisation, clock=clock
        )
        credentials.append(DemoCredential(email, role, new.one_time_password, new.totp_uri))
    log.info("demo.loaded", user_count=len(credentials))
    return credentials
