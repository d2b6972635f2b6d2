"""The downloads' group commit (``gateway.releases.delivery.writer``): works submitted without
waiting are committed before the writer closes, a refusal stays with its own caller, and staged
works run in lockstep, each sent its own statements' results."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from gateway.prepared import Prepared
from gateway.releases.delivery.writer import Batch, GroupWriter, Staged
from kernel.clock import SystemClock
from kernel.errors import DomainError


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE done (n INTEGER NOT NULL)"))
    return engine


def _insert(n: int) -> Callable[[Connection, Batch], int]:
    def work(conn: Connection, _batch: Batch) -> int:
        conn.execute(text("INSERT INTO done (n) VALUES (:n)"), {"n": n})
        return n

    return work


def _rows(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.scalars(text("SELECT n FROM done")))


class Refused(DomainError):
    code = "TEST_REFUSED"


async def test_close_commits_what_was_submitted_without_waiting(engine: Engine) -> None:
    writer = GroupWriter(lambda: engine, SystemClock())
    futures = [writer.submit(_insert(n)) for n in range(5)]
    await writer.close()
    assert [f.result() for f in futures] == list(range(5))
    assert _rows(engine) == list(range(5))


async def test_run_returns_the_work_result_and_a_refusal_goes_to_its_caller(
    engine: Engine,
) -> None:
    writer = GroupWriter(lambda: engine, SystemClock())

    def refuse(_conn: Connection, _batch: Batch) -> None:
        raise Refused("no")

    results = await asyncio.gather(
        writer.run(_insert(1)), writer.run(refuse), writer.run(_insert(2)), return_exceptions=True
    )
    await writer.close()
    assert list(results[0::2]) == [1, 2]
    assert isinstance(results[1], Refused)
    assert _rows(engine) == [1, 2]


DONE = Table("done", MetaData(), Column("n", Integer, nullable=False))
INSERT = Prepared(insert(DONE).values(n=bindparam("n")).returning(DONE.c.n))


COUNT = Prepared(select(func.count()).select_from(DONE))


def _staged(n: int, *, refuse: bool = False, fail: bool = False) -> Any:
    """Two inserts, each one's result kept; refused after a read (before any write), or failed
    after the first insert, when asked."""

    def work(_conn: Connection, _batch: Batch) -> Staged[list[int]]:
        if refuse:
            yield COUNT, None
            raise Refused("no")
        got = [(yield INSERT, {"n": n}).scalar()]
        if fail:
            raise RuntimeError("broken")
        got.append((yield INSERT, {"n": n + 100}).scalar())
        return got

    return work


def _statements(engine: Engine) -> list[Any]:
    seen: list[Any] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_rest: Any) -> None:
        if sql.startswith("INSERT"):
            seen.append(params[0] if isinstance(params, tuple) else params["n"])

    return seen


async def test_staged_works_run_in_lockstep_each_with_its_own_results(engine: Engine) -> None:
    writer = GroupWriter(lambda: engine, SystemClock())
    seen = _statements(engine)
    futures = [writer.submit(_staged(n)) for n in (1, 2, 3)]
    await writer.close()
    assert [f.result() for f in futures] == [[1, 101], [2, 102], [3, 103]]
    # the first statement of each, then the second of each (one round trip each on psycopg)
    assert seen == [1, 2, 3, 101, 102, 103]
    assert _rows(engine) == [1, 2, 3, 101, 102, 103]


async def test_a_staged_refusal_goes_to_its_caller_and_the_rest_commit(engine: Engine) -> None:
    writer = GroupWriter(lambda: engine, SystemClock())
    futures = [writer.submit(_staged(1)), writer.submit(_staged(5, refuse=True))]
    futures.append(writer.submit(_insert(9)))
    await asyncio.wait(futures)
    await writer.close()
    assert futures[0].result() == [1, 101]
    assert isinstance(futures[1].exception(), Refused)
    assert futures[2].result() == 9
    assert _rows(engine) == [1, 9, 101]


async def test_a_staged_failure_fails_the_whole_batch(engine: Engine) -> None:
    writer = GroupWriter(lambda: engine, SystemClock())
    futures = [writer.submit(_staged(1)), writer.submit(_staged(2, fail=True))]
    await asyncio.wait(futures)
    await writer.close()
    assert all(isinstance(f.exception(), RuntimeError) for f in futures)
    assert _rows(engine) == []


async def test_a_staged_work_may_send_several_statements_in_one_step(engine: Engine) -> None:
    """A list of statements goes in the same round as the other works' steps; the work is sent
    their results in its order."""
    writer = GroupWriter(lambda: engine, SystemClock())
    seen = _statements(engine)

    def pair(_conn: Connection, _batch: Batch) -> Staged[list[int]]:
        first, second = yield [(INSERT, {"n": 7}), (INSERT, {"n": 8})]
        return [first.scalar(), second.scalar()]

    futures = [writer.submit(pair), writer.submit(_staged(1))]
    await writer.close()
    assert futures[0].result() == [7, 8]
    assert futures[1].result() == [1, 101]
    assert seen == [7, 8, 1, 101]
