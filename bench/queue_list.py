"""Approval-queue list latency with many releases (issue 6: p95 < 50 ms with 100,000 in PostgreSQL).

    .venv/bin/python bench/queue_list.py [--pg] [--releases 100000] [--runs 200]

Runs on a fresh SQLite file in a temporary directory, or (--pg) a throwaway PostgreSQL database
on 127.0.0.1:5432. Rows are inserted in bulk (synthetic patients, a few organisations, states
spread over the machine), then each query shape of the queue list is timed through
``gateway.releases.queue.list_queue`` (the service call the API makes), first page and a page
further in by cursor; p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert

from gateway.auth.models import Organisation
from gateway.db import build_engine, build_session_maker
from gateway.migrations import runner
from gateway.releases.models import Patient, Release
from gateway.releases.queue import Page, QueueFilter, list_queue
from gateway.releases.states import State
from gateway.settings import DatabaseSettings, Settings

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
TODAY = NOW.date()
STATES = [s.value for s in State]


@contextmanager
def database(pg: bool) -> Iterator[Settings]:
    """A fresh SQLite file, or a throwaway PostgreSQL database (as bench/ledger.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        if not pg:
            yield Settings(data_dir=Path(tmp))
            return
        name = f"roi_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        try:
            yield Settings(data_dir=Path(tmp), database=DatabaseSettings(url=url))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def release_rows(n: int, patients: list[uuid.UUID], orgs: list[uuid.UUID]) -> list[dict[str, Any]]:
    rng = random.Random(6)  # noqa: S311 - synthetic test data, not security
    staff = [uuid.uuid4() for _ in range(8)]
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": uuid.uuid4(),
                "reference": f"R-{i:09d}",
                "kind": "request",
                "state": rng.choice(STATES),
                "organisation_id": rng.choice(orgs),
                "patient_id": rng.choice(patients),
                "patient_claim": {},
                "recipient": {"kind": "attorney", "name": "Synthetic Law LLP"},
                "basis_type": "authorization",
                "basis": {},
                "scope": {},
                "purpose": "litigation",
                "due_on": TODAY + timedelta(days=rng.randint(-20, 60)),
                "extensions": 0,
                "findings": [],
                "exclusions": [],
                "notices": [],
                "sensitive": rng.random() < 0.1,
                "accounting": {},
                "opened_by": rng.choice(staff),
                "assignee_id": rng.choice([None, *staff]),
                "packet_version": 1,
                "row_version": 1,
                "created_at": NOW + timedelta(seconds=i),
                "updated_at": NOW + timedelta(seconds=i),
            }
        )
    return rows


async def seed(sessions: Any, n: int) -> None:
    orgs = [uuid.uuid4() for _ in range(20)]
    patients = [uuid.uuid4() for _ in range(max(1, n // 4))]
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Organisation),
            [
                {
                    "id": o,
                    "name": f"Org {o.hex[:8]}",
                    "kind": ("attorney", "payer")[i % 2],
                    "created_at": NOW,
                }
                for i, o in enumerate(orgs)
            ],
        )
        for start in range(0, len(patients), 5000):
            chunk = patients[start : start + 5000]
            await session.execute(
                insert(Patient),
                [
                    {
                        "id": p,
                        "mrn": f"SYN{p.hex[:12]}",
                        "family_name": "Synthetic",
                        "given_name": "Pat",
                        "birth_date": date(1970, 1, 1),
                        "identifiers": [],
                        "created_at": NOW,
                        "created_by": p,
                    }
                    for p in chunk
                ],
            )
    rows = release_rows(n, patients, orgs)
    for start in range(0, n, 5000):
        async with sessions() as session, session.begin():
            await session.execute(insert(Release), rows[start : start + 5000])


SHAPES: dict[str, tuple[QueueFilter, str]] = {
    "all by due date": (QueueFilter(), "due_on"),
    "in review by due date": (QueueFilter(states=(State.IN_REVIEW,)), "due_on"),
    "tab ready, newest first": (QueueFilter(tab="ready"), "-created_at"),
    "payer, sensitive": (QueueFilter(requester_type="payer", sensitive=True), "due_on"),
    "overdue in review": (
        QueueFilter(states=(State.IN_REVIEW,), due_before=TODAY - timedelta(days=1)),
        "due_on",
    ),
}


async def time_shape(sessions: Any, f: QueueFilter, sort: Any, runs: int) -> list[float]:
    took = []
    cursor = None
    for i in range(runs):
        async with sessions() as session:
            start = time.perf_counter()
            page = await list_queue(session, f, Page(sort, 50, cursor), on=TODAY)
            took.append((time.perf_counter() - start) * 1000)
        cursor = page.next_cursor if i % 2 == 0 else None  # alternate first and next pages
    return took


async def main(pg: bool, n: int, runs: int) -> None:
    with database(pg) as settings:
        await asyncio.to_thread(runner.upgrade, settings)
        engine = build_engine(settings)
        sessions = build_session_maker(engine)
        started = time.perf_counter()
        await seed(sessions, n)
        print(
            f"seeded {n} releases in {time.perf_counter() - started:.1f} s "
            f"({'postgresql' if pg else 'sqlite'})"
        )
        for name, (f, sort) in SHAPES.items():
            took = sorted(await time_shape(sessions, f, sort, runs))
            p95 = took[int(len(took) * 0.95) - 1]
            print(f"{name:28s} p50 {statistics.median(took):7.2f} ms   p95 {p95:7.2f} ms")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.pg, args.releases, args.runs))
