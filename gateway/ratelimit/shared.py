"""The rate limiter whose state is in the database: one budget for every process.

The same sliding window as :class:`~gateway.ratelimit.memory.MemoryRateLimiter` (at most
``events`` in any ``window_s`` seconds; a refused event is not counted, so hammering does not
push the window out), kept in one row per key. Each hit is a transaction of its own, committed
whatever the request does next (a request that fails later still counted): the key's row is
created if missing, read under a lock (``SELECT .. FOR UPDATE`` on PostgreSQL; on SQLite the
transaction's ``BEGIN IMMEDIATE`` holds the database's write lock), and rewritten. So concurrent
processes count each event exactly once.

The hit commits on a connection of its own: call it before the request's own session first
touches the database (on SQLite that session's transaction would hold the write lock the hit
waits for).
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.ratelimit.errors import Limit, RateLimited, key_digest
from gateway.ratelimit.models import RateLimitState
from kernel.clock import Clock

TABLE = cast("Table", RateLimitState.__table__)
PRUNE_EVERY = 256


def _create(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(TABLE)
        .values(key=bindparam("k"), events="[]", until=bindparam("now"))
        .on_conflict_do_nothing(index_elements=[TABLE.c.key])
    )


CREATE = {"postgresql": _create("postgresql"), "sqlite": _create("sqlite")}
READ = select(TABLE.c.events).where(TABLE.c.key == bindparam("k")).with_for_update()
WRITE = (
    update(TABLE)
    .where(TABLE.c.key == bindparam("k"))
    .values(events=bindparam("window"), until=bindparam("ends"))
)
PRUNE = delete(TABLE).where(TABLE.c.until <= bindparam("now"))


class SharedRateLimiter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hits = 0

    async def hit(self, scope: str, key: str, limit: Limit) -> None:
        """Count one event for ``key`` in ``scope``, committed; :class:`RateLimited` (with the
        seconds until the next event is allowed) when the window already holds
        ``limit.events``."""
        now = self._clock.now().timestamp()
        digest = key_digest(scope, key)
        async with self._sessions() as session, session.begin():
            dialect = session.get_bind().dialect.name
            await session.execute(CREATE[dialect], {"k": digest, "now": now})
            stored = (await session.execute(READ, {"k": digest})).scalar_one()
            window = [t for t in json.loads(stored) if t > now - limit.window_s]
            if len(window) >= limit.events:
                raise RateLimited(max(1, math.ceil(window[0] + limit.window_s - now)))
            window.append(now)
            values = {"k": digest, "window": json.dumps(window), "ends": now + limit.window_s}
            await session.execute(WRITE, values)
            self._hits += 1
            if self._hits % PRUNE_EVERY == 0:
                await session.execute(PRUNE, {"now": now})

    async def prune(self) -> int:
        """Delete the rows whose events have all left their window; how many."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(PRUNE, {"now": self._clock.now().timestamp()})
        return int(getattr(result, "rowcount", 0) or 0)
