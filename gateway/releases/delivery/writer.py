"""Group commit for the download path: the small writes of many concurrent downloads (a use
counted with ``download.started``; ``download.completed`` or ``aborted``) share one transaction
and one commit.

Each piece of work runs in turn in the batch's session. A piece that refuses (a
:class:`~kernel.errors.DomainError`, e.g. the link was spent) must do so before its first write
(``DeliveryService.consume`` checks the conditional UPDATE's row count before anything else): its
refusal goes to its caller and the batch goes on. Any other error rolls the whole batch back and
every caller in it gets that error, so nothing is half-written. On SQLite this also takes the
write lock once per batch instead of once per request, so concurrent downloads stop waiting in
SQLite's busy handler; on PostgreSQL it saves a commit (and a ledger head lock) per download.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import ledger
from gateway.ledger import NewEntry
from kernel.clock import Clock
from kernel.errors import DomainError

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass(slots=True)
class Batch:
    """What the works of one batch leave for the end of it: ledger entries, appended together
    (one head lock, one insert), and the releases whose disclosure this batch records."""

    entries: list[NewEntry] = field(default_factory=list)
    disclosed: set[uuid.UUID] = field(default_factory=set)
    # releases whose disclosure is committed (the writer's memory, across batches)
    known_disclosed: set[uuid.UUID] = field(default_factory=set)


Work = Callable[[AsyncSession, Batch], Awaitable[Any]]
MAX_BATCH = 64


class GroupWriter:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, max_batch: int = MAX_BATCH
    ) -> None:
        self._clock = clock
        self._known_disclosed: set[uuid.UUID] = set()
        self._sessions = sessions
        self._max_batch = max_batch
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def run(self, work: Callable[[AsyncSession, Batch], Awaitable[T]]) -> T:
        """Run ``work`` in the next batch's transaction; its result once the batch committed."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._start(loop)
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((work, future))
        assert self._wake is not None  # noqa: S101 - set by _start
        self._wake.set()
        return await future

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop, self._wake = loop, asyncio.Event()
        self._task = loop.create_task(self._drain())

    async def _drain(self) -> None:
        assert self._wake is not None  # noqa: S101
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._commit(batch)

    async def _commit(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], BaseException | None, Any]] = []
        shared = Batch(known_disclosed=self._known_disclosed)
        try:
            async with self._sessions() as session, session.begin():
                for work, future in batch:
                    try:
                        outcomes.append((future, None, await work(session, shared)))
                    except DomainError as refused:  # raised before the work's first write
                        outcomes.append((future, refused, None))
                await session.flush()
                await ledger.append_many(session, shared.entries, clock=self._clock)
        except Exception as exc:  # noqa: BLE001 - every caller of the batch gets the failure
            log.warning("delivery.batch_failed", size=len(batch), error=type(exc).__name__)
            for _work, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self._known_disclosed |= shared.disclosed
        for future, error, value in outcomes:
            if future.done():  # the caller went away; the work is committed all the same
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
