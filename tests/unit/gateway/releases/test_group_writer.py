"""The downloads' group commit (``gateway.releases.delivery.writer``): works submitted without
waiting are committed before the writer closes, and a refusal stays with its own caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from gateway.releases.delivery.writer import Batch, GroupWriter
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
