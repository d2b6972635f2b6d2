"""Sign-in throttling per account and per client address (R17).

Each failed attempt counts against both keys; once a key reaches its limit it is locked for an
exponentially growing time (capped), and attempts while locked are refused with 429 before any
password is checked, so they cannot succeed. Counters live in their own short transactions: a
refused request rolls back its own work but never its failure count. Keys are SHA-256 digests:
the table holds no e-mail address or IP.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.errors import Throttled
from gateway.auth.models import LoginThrottle
from kernel.clock import Clock

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    account_max_failures: int = 10
    address_max_failures: int = 50  # one office behind one NAT address: more room per address
    base_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)  # failures older than this are forgotten

    def limit(self, scope: str) -> int:
        return self.account_max_failures if scope == ACCOUNT else self.address_max_failures

    def lock_for(self, scope: str, failures: int) -> timedelta | None:
        """No lock below the limit; then base, 2x base, 4x base ... up to ``max_lock``."""
        over = failures - self.limit(scope)
        if over < 0:
            return None
        lock: timedelta = self.base_lock * (2 ** min(over, 16))
        return min(self.max_lock, lock)


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    scope: str
    key: str


def account_key(email: str) -> ThrottleKey:
    return ThrottleKey(ACCOUNT, hashlib.sha256(b"account:" + email.encode()).hexdigest())


def address_key(address: str) -> ThrottleKey:
    return ThrottleKey(ADDRESS, hashlib.sha256(b"address:" + address.encode()).hexdigest())


class LoginThrottler:
    def __init__(
        self, session_maker: async_sessionmaker[AsyncSession], policy: ThrottlePolicy, clock: Clock
    ) -> None:
        self._session_maker = session_maker
        self.policy = policy
        self._clock = clock

    async def check(self, *keys: ThrottleKey) -> None:
        """Raise :class:`Throttled` if any key is locked now."""
        now = self._clock.now()
        async with self._session_maker() as session:
            rows = (await session.scalars(_select(keys))).all()
        locked = [r.locked_until for r in rows if r.locked_until and r.locked_until > now]
        if locked:
            wait = max(locked) - now
            raise Throttled(retry_after_s=max(1, math.ceil(wait.total_seconds())))

    async def record_failure(self, *keys: ThrottleKey) -> None:
        now = self._clock.now()
        async with self._session_maker() as session, session.begin():
            for key in keys:
                failures = await _count_failure(session, key, now, now - self.policy.window)
                lock = self.policy.lock_for(key.scope, failures)
                if lock is not None:
                    await session.execute(_lock(key, now + lock))

    async def reset(self, key: ThrottleKey) -> None:
        async with self._session_maker() as session, session.begin():
            statement = _where(update(LoginThrottle), key)
            await session.execute(statement.values(failures=0, locked_until=None))


def _select(keys: tuple[ThrottleKey, ...]) -> Any:
    query = select(LoginThrottle)
    clauses = [(LoginThrottle.scope == k.scope) & (LoginThrottle.key == k.key) for k in keys]
    return query.where(or_(*clauses))


def _where(statement: Any, key: ThrottleKey) -> Any:
    return statement.where(LoginThrottle.scope == key.scope, LoginThrottle.key == key.key)


def _lock(key: ThrottleKey, until: datetime) -> Any:
    return _where(update(LoginThrottle), key).values(locked_until=until)


async def _count_failure(
    session: AsyncSession, key: ThrottleKey, now: datetime, window_start: datetime
) -> int:
    """Atomic upsert: one more failure, or a fresh count of 1 if the last one is stale."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LoginThrottle).values(
        scope=key.scope, key=key.key, failures=1, last_failure_at=now
    )
    counted = case(
        (LoginThrottle.last_failure_at < window_start, 1), else_=LoginThrottle.failures + 1
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.scope, LoginThrottle.key],
        set_={"failures": counted, "last_failure_at": now},
    ).returning(LoginThrottle.failures)
    return int((await session.execute(upsert)).scalar_one())
