"""Ledger numbers: concurrent append throughput and latency, and verification speed.

    .venv/bin/python bench/ledger.py [--pg] [--appenders 1 8 32] [--entries 400] [--verify 20000]

Runs on a fresh SQLite file in a temporary directory, or (--pg) a throwaway PostgreSQL database
on 127.0.0.1:5432 (migrations run in a thread: alembic starts its own event loop). Each appender
has its own engine (its own connection) and commits one transaction per entry, as a workflow
step would.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from gateway.db import build_engine, build_session_maker
from gateway.ledger import NewEntry, append, verify_paged
from gateway.migrations import runner
from gateway.settings import DatabaseSettings, Settings
from kernel.clock import FixedClock

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
CLOCK = FixedClock(datetime(2026, 11, 27, tzinfo=UTC))


@contextmanager
def database(pg: bool) -> Iterator[Settings]:
    with tempfile.TemporaryDirectory() as tmp:
        if not pg:
            yield Settings(data_dir=Path(tmp))
            return
        name = f"roi_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        settings = Settings(data_dir=Path(tmp), database=DatabaseSettings(url=url))
        try:
            yield settings
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def entry(n: int) -> NewEntry:
    return NewEntry(
        idempotency_key=f"bench:{uuid.uuid4().hex}:{n}",
        actor_id="bench",
        event_type="release.received",
        release_id=uuid.uuid4(),
        details={"n": n},
    )


async def appender(settings: Settings, count: int, latencies: list[float]) -> None:
    engine = build_engine(settings)
    maker = build_session_maker(engine)
    try:
        for n in range(count):
            started = time.perf_counter()
            async with maker() as session:
                await append(session, entry(n), clock=CLOCK)
                await session.commit()
            latencies.append(time.perf_counter() - started)
    finally:
        await engine.dispose()


async def measure_appends(settings: Settings, appenders: int, total: int) -> str:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(appender(settings, total // appenders, latencies) for _ in range(appenders))
    )
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"appenders={appenders} entries={len(latencies)} {len(latencies) / elapsed:.0f}/s"
        f" p50={cuts[49] * 1000:.1f}ms p99={cuts[98] * 1000:.1f}ms"
    )


async def measure_verify(settings: Settings, total: int) -> str:
    engine = build_engine(settings)
    maker = build_session_maker(engine)
    async with maker() as session:
        for n in range(total):
            await append(session, entry(n), clock=CLOCK)
            if n % 1000 == 999:
                await session.commit()
        await session.commit()
    started = time.perf_counter()
    result = await verify_paged(maker)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    if not result.ok:
        raise SystemExit(f"ledger broken: {result.broken}")
    return f"verify entries={result.entries} {elapsed:.2f}s {result.entries / elapsed:.0f}/s"


async def main(args: argparse.Namespace) -> None:
    backend = "postgresql" if args.pg else "sqlite"
    for appenders in args.appenders:
        with database(args.pg) as settings:
            await asyncio.to_thread(runner.upgrade, settings)
            print(backend, await measure_appends(settings, appenders, args.entries))
    if args.verify:
        with database(args.pg) as settings:
            await asyncio.to_thread(runner.upgrade, settings)
            print(backend, await measure_verify(settings, args.verify))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--appenders", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--entries", type=int, default=400)
    parser.add_argument("--verify", type=int, default=20000)
    asyncio.run(main(parser.parse_args()))
