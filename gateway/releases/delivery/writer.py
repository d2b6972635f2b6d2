"""Group commit for the download path: the small writes of many concurrent downloads (a use
counted with ``download.started``; ``download.completed`` or ``aborted``) share one transaction
and one commit, run whole on a thread of its own.

Requests queue their work; the writer takes what is queued (up to ``max_batch``), runs it on its
thread in one synchronous transaction (``gateway.db.build_sync_engine``: one hop off the event
loop per batch, not one per statement), appends the batch's ledger entries at its end, commits,
and hands each caller its result. Meanwhile the next batch gathers.

A piece of work is called with the batch's connection. It either does its work there and
returns its result, or returns a *staged* work: a generator that yields its statements one at a
time (``(Prepared, params)``) and is sent each one's result. The writer runs the staged works of
a batch in lockstep: the first statement of every one of them goes to the database together
(``gateway.prepared.run_all``: one psycopg pipeline, one round trip), then the second of each,
and so on. Under load a round trip costs the writer far more than the statement (the thread
waits for the server's process and for the GIL again: bench/README.md), so a batch of eight
downloads reads its links and counts their uses in one round trip instead of sixteen. Each
staged work sees only its own results; two works of one batch on the same link are kept apart
by the conditional UPDATE, which runs in order.

A staged work may also yield a list of statements, sent in the same round trip; it is sent their
results in order. A link download yields its read and its conditional use together, so a batch
of downloads costs one round trip for both (``pipeline.start_download``).

A piece that refuses (a :class:`~kernel.errors.DomainError`, e.g. the link was spent) must do so
before its first write, or undo that write first (``usage.consume`` checks the conditional
UPDATE's row before anything else; a link download whose checks refuse after its use was taken
gives the use back, in the batch's transaction, before it refuses): its refusal goes to its
caller and the batch goes on. Any other error rolls the whole batch back and every caller in it
gets that error, so nothing is half-written. On SQLite this takes the write lock once per batch
instead of once per request; on PostgreSQL it saves a commit (and a ledger head lock) per
download.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar, cast

import structlog
from sqlalchemy.engine import Connection, Engine

from gateway.ledger import batch as ledger_batch
from gateway.ledger.entry import NewEntry
from gateway.ledger.repository import Head
from gateway.prepared import Executed, Prepared, run_all
from kernel.clock import Clock
from kernel.errors import DomainError

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass(slots=True)
class Batch:
    """What the works of one batch leave for the end of it: ledger entries, appended together
    (one head lock, one key lookup), and the releases whose disclosure is on the ledger (found
    there, or recorded by this batch)."""

    entries: list[NewEntry] = field(default_factory=list)
    disclosed: set[uuid.UUID] = field(default_factory=set)
    # releases whose disclosure is committed (the writer's memory, across batches)
    known_disclosed: frozenset[uuid.UUID] = frozenset()


Step: TypeAlias = tuple[Prepared, Mapping[str, Any] | None]
# a staged work: yields a statement (sent its result) or a list of them (sent their results, in
# order) at a time, and returns its value
Staged: TypeAlias = Generator[Step | list[Step], Any, T]
Work = Callable[[Connection, Batch], Any]
Outcome = tuple[BaseException | None, Any]
MAX_BATCH = 64
CLOSE_WAIT_S = 10.0


class GroupWriter:
    """``engine`` is called once, on the writer's thread, when the first batch runs."""

    def __init__(
        self, engine: Callable[[], Engine], clock: Clock, max_batch: int = MAX_BATCH
    ) -> None:
        self._make_engine = engine
        self._engine: Engine | None = None
        self._clock = clock
        self._max_batch = max_batch
        self._known_disclosed: frozenset[uuid.UUID] = frozenset()
        self._head: Head | None = None  # on the writer's thread only
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._open: set[asyncio.Future[Any]] = set()  # submitted, not yet committed or failed
        self._thread: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def run(self, work: Callable[[Connection, Batch], T]) -> T:
        """Run ``work`` in the next batch's transaction; its result once the batch committed."""
        return await self.submit(work)

    async def run_staged(self, work: Callable[[Connection, Batch], Staged[T]]) -> T:
        """Run a staged ``work`` in the next batch, in lockstep with the batch's other staged
        works; the value it returns, once the batch committed."""
        # the writer runs the generator to its return: the future holds that value
        return cast("T", await self.submit(work))

    def submit(self, work: Callable[[Connection, Batch], T]) -> asyncio.Future[T]:
        """Queue ``work`` for the next batch now, without waiting: the future is done once the
        batch committed (or failed). :meth:`close` waits for every submitted work first."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._start(loop)
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((work, future))
        self._open.add(future)
        future.add_done_callback(self._open.discard)
        assert self._wake is not None  # noqa: S101 - set by _start
        self._wake.set()
        return future

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roi-downloads")
        self._loop, self._wake = loop, asyncio.Event()
        self._task = loop.create_task(self._drain())

    async def _drain(self) -> None:
        assert self._wake is not None  # noqa: S101
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                works = [work for work, _future in batch]
                try:
                    outcomes, disclosed = await loop.run_in_executor(
                        self._thread, self._commit, works
                    )
                except Exception as exc:  # noqa: BLE001 - every caller of the batch gets it
                    log.warning("delivery.batch_failed", size=len(batch), error=type(exc).__name__)
                    for _work, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self._known_disclosed |= disclosed
                for (_work, future), (error, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the caller went away; the work is committed all the same
                        continue
                    if error is not None:
                        future.set_exception(error)
                    else:
                        future.set_result(value)

    def _commit(self, works: list[Work]) -> tuple[list[Outcome], set[uuid.UUID]]:
        """One batch, on the writer's thread: every work, the ledger entries, one commit."""
        if self._engine is None:
            self._engine = self._make_engine()
        shared = Batch(known_disclosed=self._known_disclosed)
        with self._engine.begin() as conn:
            outcomes = run_works(conn, works, shared)
            # every key of a batch is "download:<new uuid4>:<step>" (usage.py)
            appended = ledger_batch.append_many(
                conn,
                shared.entries,
                occurred_at=self._clock.now(),
                fresh_keys=True,
                expected=self._head,
            )
        # the head this batch left: the next batch's rows are built on it (checked under the
        # head's lock by the database; a wrong guess, after another process appended, costs
        # one more call)
        self._head = appended.head or self._head
        return outcomes, shared.disclosed

    async def close(self, timeout_s: float = CLOSE_WAIT_S) -> None:
        """Commit what was submitted (waiting at most ``timeout_s``), then stop."""
        if self._open and self._task is not None and not self._task.done():
            _done, left = await asyncio.wait(set(self._open), timeout=timeout_s)
            if left:
                log.warning("delivery.writer_closed_with_work", works=len(left))
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.to_thread(thread.shutdown)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def run_works(conn: Connection, works: list[Work], batch: Batch) -> list[Outcome]:
    """Every work of a batch on ``conn``, each one's outcome in order: plain works run whole as
    they come; staged works run in lockstep, one round trip per step of all of them."""
    outcomes: list[Outcome] = [(None, None)] * len(works)
    waiting: dict[int, tuple[Staged[Any], Step | list[Step]]] = {}
    for index, work in enumerate(works):
        try:
            result = work(conn, batch)
        except DomainError as refused:  # raised before the work's first write
            outcomes[index] = (refused, None)
            continue
        if isinstance(result, Generator):
            _advance(index, result, None, waiting, outcomes)
        else:
            outcomes[index] = (None, result)
    while waiting:
        turn = list(waiting.items())
        waiting.clear()
        steps = [_as_list(yielded) for _index, (_work, yielded) in turn]
        done = iter(run_all(conn, [step for some in steps for step in some]))
        for (index, (staged, yielded)), some in zip(turn, steps, strict=True):
            results = [next(done) for _step in some]
            sent = results if isinstance(yielded, list) else results[0]
            _advance(index, staged, sent, waiting, outcomes)
    return outcomes


def _as_list(yielded: Step | list[Step]) -> list[Step]:
    return yielded if isinstance(yielded, list) else [yielded]


def _advance(
    index: int,
    staged: Staged[Any],
    sent: Executed | list[Executed] | None,
    waiting: dict[int, tuple[Staged[Any], Step | list[Step]]],
    outcomes: list[Outcome],
) -> None:
    """Send a staged work its last statements' results (``None`` to start it): its next step
    waits for the next round trip, or its value or refusal is its outcome."""
    try:
        yielded = staged.send(sent)
    except StopIteration as stop:
        outcomes[index] = (None, stop.value)
    except DomainError as refused:  # raised before the work's first write, or after undoing it
        outcomes[index] = (refused, None)
    else:
        waiting[index] = (staged, yielded)
