"""The conditional updates that keep one-time things one-time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import create_user
from gateway.auth.passwords import Passwords
from gateway.auth.repository import AuthRepository
from gateway.auth.sessions import SessionPolicy, Sessions
from gateway.settings import SecuritySettings
from kernel.clock import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CHEAP = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def test_R16_a_totp_step_is_claimed_once_and_never_an_older_one(
    db_session: AsyncSession,
) -> None:
    new = await create_user(
        db_session,
        email="s@example.test",
        role="specialist",
        passwords=CHEAP,
        clock=FixedClock(NOW),
    )
    repository = AuthRepository(db_session)
    assert await repository.claim_totp_step(new.user.id, 100)
    assert not await repository.claim_totp_step(new.user.id, 100)  # a replay, even in a race
    assert not await repository.claim_totp_step(new.user.id, 99)
    assert await repository.claim_totp_step(new.user.id, 101)


async def test_R20_ending_a_users_sessions_ends_each_once(db_session: AsyncSession) -> None:
    clock = FixedClock(NOW)
    new = await create_user(
        db_session, email="t@example.test", role="admin", passwords=CHEAP, clock=clock
    )
    repository = AuthRepository(db_session)
    sessions = Sessions(repository, SessionPolicy.from_settings(SecuritySettings()), clock)
    first = await sessions.issue(new.user.id)
    await sessions.issue(new.user.id)
    assert await repository.revoke_sessions_of(new.user.id, NOW, keep=first.session_id) == 1
    assert await repository.revoke_sessions_of(new.user.id, NOW) == 1
    assert await repository.revoke_sessions_of(new.user.id, NOW) == 0
    assert await sessions.resolve(first.secret) is None
