"""Approval-queue list latency over HTTP with 100,000 releases (issue 6: p95 < 50 ms in PostgreSQL).

    .venv/bin/python -m bench.queue_bench [--sqlite] [--releases 100000] [--runs 30]
        [--explain]

Seeds a throwaway PostgreSQL database on 127.0.0.1:5432 (or, with --sqlite, a SQLite file in a
temporary directory) through the migrations, then inserts releases in batches of 5,000
(executemany): states, due dates (-30..+60 days), requester types (attorney, payer, individual),
sensitivity (10 %), assignees (8 staff and unassigned) and 40 organisations spread at random with
a fixed seed. Every row is synthetic.

Then, in-process through the ASGI app (``AsyncTestClient``, a specialist's bearer token, the whole
middleware and auth stack), it times ``GET /api/v1/queue`` for every filter the API has, each
with every sort (``due_on``, ``-due_on``, ``created_at``, ``-created_at``), on the first page and
on a deep keyset page (the cursor of the row half-way through that filter's order, computed
untimed). Planner statistics are taken after the seed (``ANALYZE``; on SQLite through
``gateway.db_statistics``, the daily workflow's function). Per combination: p50/p95/p99 in ms;
overall p95 and the load average at start and end.
``--explain`` prints the PostgreSQL plan of the slowest combination.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from litestar.testing import AsyncTestClient
from sqlalchemy import insert, select, text

from gateway.auth import create_user
from gateway.auth.accounts import create_token
from gateway.auth.models import Organisation
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.db import build_engine, build_session_maker
from gateway.db_statistics import refresh_planner_statistics
from gateway.migrations import runner
from gateway.releases.models import Patient, Release
from gateway.releases.queue import (
    Page,
    QueueFilter,
    _after,
    _base,
    _column,
    _conditions,
    encode_cursor,
)
from gateway.releases.states import State
from gateway.settings import DatabaseSettings, Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import CHEAP_PASSWORDS, build_app

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TODAY = NOW.date()
STATES = [s.value for s in State]
SORTS = ("due_on", "-due_on", "created_at", "-created_at")
BATCH = 5000


@contextmanager
def database(sqlite: bool) -> Iterator[Settings]:
    with tempfile.TemporaryDirectory() as tmp:
        if sqlite:
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


def release_rows(
    start: int, n: int, rng: random.Random, ctx: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for i in range(start, start + n):
        org = rng.choice(ctx["orgs"]) if rng.random() < 0.8 else None
        rows.append(
            {
                "id": uuid.uuid4(),
                "reference": f"R-{i:09d}",
                "kind": "request",
                "state": rng.choice(STATES),
                "organisation_id": org,
                "patient_id": rng.choice(ctx["patients"]),
                "patient_claim": {},
                "recipient": {"kind": "attorney", "name": "Synthetic Law LLP"},
                "basis_type": "authorization",
                "basis": {},
                "scope": {},
                "purpose": "litigation",
                "due_on": TODAY + timedelta(days=rng.randint(-30, 60)),
                "extensions": 0,
                "findings": [{"code": "f", "resolved": rng.random() < 0.5}]
                if rng.random() < 0.3
                else [],
                "exclusions": [],
                "notices": [],
                "sensitive": rng.random() < 0.1,
                "accounting": {},
                "opened_by": rng.choice(ctx["staff"]),
                "assignee_id": rng.choice([None, *ctx["staff"]]),
                "packet_version": 1,
                "row_version": 1,
                "created_at": NOW - timedelta(days=120) + timedelta(seconds=i * 97),
                "updated_at": NOW,
            }
        )
    return rows


async def seed(sessions: Any, n: int, staff: list[uuid.UUID]) -> None:
    rng = random.Random(6)  # noqa: S311 - synthetic bench data, not security
    orgs = [uuid.uuid4() for _ in range(40)]
    patients = [uuid.uuid4() for _ in range(max(1, n // 4))]
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Organisation),
            [
                {
                    "id": o,
                    "name": f"Bench Org {o.hex[:8]}",
                    "kind": ("attorney", "payer")[i % 2],
                    "created_at": NOW,
                }
                for i, o in enumerate(orgs)
            ],
        )
        for start in range(0, len(patients), BATCH):
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
                        "created_by": staff[0],
                    }
                    for p in patients[start : start + BATCH]
                ],
            )
    ctx = {"orgs": orgs, "patients": patients, "staff": staff}
    for start in range(0, n, BATCH):
        rows = release_rows(start, min(BATCH, n - start), rng, ctx)
        async with sessions() as session, session.begin():
            await session.execute(insert(Release), rows)


async def reviewer_token(sessions: Any, clock: FixedClock) -> tuple[uuid.UUID, str]:
    """A specialist and an integration token of theirs (as ``roi users add`` and the API)."""
    async with sessions() as session, session.begin():
        new = await create_user(
            session,
            email=f"bench-{uuid.uuid4().hex[:8]}@example.test",
            role=Role.SPECIALIST.value,
            organisation=None,
            passwords=CHEAP_PASSWORDS,
            clock=clock,
        )
    actor = Principal(Via.SESSION, new.user.id, Role.SPECIALIST, None)
    async with sessions() as session, session.begin():
        made = await create_token(
            session,
            actor,
            name="bench bot",
            role=Role.SPECIALIST.value,
            organisation_id=None,
            clock=clock,
        )
    return new.user.id, made.token


def filters(assignee: uuid.UUID) -> dict[str, dict[str, Any]]:
    """Every filter of ``GET /api/v1/queue`` (each alone) and some combinations."""
    return {
        "none": {},
        "state=in_review": {"state": "in_review"},
        "state=approved,on_hold": {"state": ["approved", "on_hold"]},
        "tab=ready": {"tab": "ready"},
        "requester=attorney": {"requester_type": "attorney"},
        "requester=individual": {"requester_type": "individual"},
        "sensitive=true": {"sensitive": "true"},
        "assignee": {"assignee_id": str(assignee)},
        "unassigned": {"unassigned": "true"},
        "due_before": {"due_before": str(TODAY - timedelta(days=1))},
        "due_after": {"due_after": str(TODAY + timedelta(days=30))},
        "in_review+overdue": {"state": "in_review", "due_before": str(TODAY)},
        "payer+sensitive": {"requester_type": "payer", "sensitive": "true"},
        "assignee+in_review+due": {
            "assignee_id": str(assignee),
            "state": "in_review",
            "due_after": str(TODAY),
        },
    }


def as_filter(params: dict[str, Any]) -> QueueFilter:
    states = params.get("state", [])
    states = [states] if isinstance(states, str) else states

    def day(key: str) -> date | None:
        return date.fromisoformat(params[key]) if key in params else None

    return QueueFilter(
        states=tuple(State(s) for s in states),
        tab=params.get("tab"),
        requester_type=params.get("requester_type"),
        sensitive={"true": True, "false": False}.get(params.get("sensitive", "")),
        assignee_id=uuid.UUID(params["assignee_id"]) if "assignee_id" in params else None,
        unassigned=params.get("unassigned") == "true",
        due_before=day("due_before"),
        due_after=day("due_after"),
    )


async def deep_cursor(sessions: Any, params: dict[str, Any], sort: str) -> str | None:
    """The cursor of the row half-way through this filter's order (untimed)."""
    f = as_filter(params)
    column = _column(sort)  # type: ignore[arg-type]
    desc = sort.startswith("-")
    order = (column.desc(), Release.id.desc()) if desc else (column.asc(), Release.id.asc())
    async with sessions() as session:
        total = len((await session.execute(select(Release.id).where(*_conditions(f)))).all())
        if total < 100:
            return None
        row = (
            await session.execute(
                _base().where(*_conditions(f)).order_by(*order).offset(total // 2).limit(1)
            )
        ).one()
    return encode_cursor(sort, row)  # type: ignore[arg-type]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * p) - 1))]


async def analyze(engine: Any, settings: Settings) -> None:
    """Planner statistics after the seed: on SQLite what the daily ``roi.db_statistics``
    workflow does; on PostgreSQL what autovacuum would do in time."""
    if await refresh_planner_statistics(engine):
        return
    plain = settings.database_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("ANALYZE")


async def main(sqlite: bool, n: int, runs: int, explain: bool) -> None:
    load_start = os.getloadavg()
    with database(sqlite) as settings:
        await asyncio.to_thread(runner.upgrade, settings)
        clock = FixedClock(NOW)
        app = build_app(settings, clock)
        # Seed in this loop, then drop the pool: the test client runs the app in a loop of its own.
        engine = build_engine(settings)
        sessions = build_session_maker(engine)
        reviewer, token = await reviewer_token(sessions, clock)
        staff = [reviewer] + [uuid.uuid4() for _ in range(7)]
        started = time.perf_counter()
        await seed(sessions, n, staff)
        seeded = time.perf_counter() - started
        await analyze(engine, settings)
        print(
            f"seeded {n} releases in {seeded:.1f} s "
            f"({'sqlite' if sqlite else 'postgresql'}); load average at start "
            f"{load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}",
            flush=True,
        )
        cursors = {}
        for name, params in filters(reviewer).items():
            for sort in SORTS:
                cursors[name, sort] = await deep_cursor(sessions, params, sort)
        async with AsyncTestClient(app) as client:
            headers = {"Authorization": f"Bearer {token}"}
            all_ms: list[float] = []
            worst: tuple[float, str, dict[str, Any]] = (0.0, "", {})
            print(
                f"{'filter':26s} {'sort':12s} {'page':5s} {'p50':>7s} {'p95':>7s} {'p99':>7s}  rows"
            )
            for name, params in filters(reviewer).items():
                for sort in SORTS:
                    deep = cursors[name, sort]
                    for page, cursor in (("first", None), ("deep", deep)):
                        if page == "deep" and cursor is None:
                            continue
                        query = {**params, "sort": sort, "limit": "50"}
                        if cursor:
                            query["cursor"] = cursor
                        took = []
                        rows = 0
                        for _ in range(runs):
                            t0 = time.perf_counter()
                            response = await client.get(
                                "/api/v1/queue", params=query, headers=headers
                            )
                            took.append((time.perf_counter() - t0) * 1000)
                            if response.status_code != 200:
                                raise SystemExit(
                                    f"{name} {sort}: {response.status_code} {response.text}"
                                )
                            rows = len(response.json()["items"])
                        all_ms.extend(took)
                        p95 = pct(took, 0.95)
                        if p95 > worst[0]:
                            worst = (p95, name, query)
                        print(
                            f"{name:26s} {sort:12s} {page:5s} {statistics.median(took):7.1f} "
                            f"{p95:7.1f} {pct(took, 0.99):7.1f}  {rows}",
                            flush=True,
                        )
            load_end = os.getloadavg()
            print(
                f"all {len(all_ms)} requests: p50 {statistics.median(all_ms):.1f} ms, "
                f"p95 {pct(all_ms, 0.95):.1f} ms, p99 {pct(all_ms, 0.99):.1f} ms; "
                f"worst combination p95 {worst[0]:.1f} ms ({worst[1]}, {worst[2].get('sort')}); "
                f"load average at end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}, "
                f"{os.cpu_count()} cores"
            )
        await app.state.db_engine.dispose()
        if explain and not sqlite:
            await print_plan(sessions, worst[2])


async def print_plan(sessions: Any, params: dict[str, Any]) -> None:
    f = as_filter(params)
    page = Page(params["sort"], 50, params.get("cursor"))
    column = _column(page.sort)
    desc = page.sort.startswith("-")
    query = _base().where(*_conditions(f))
    if page.cursor:
        query = query.where(_after(page.sort, page.cursor))
    order = (column.desc(), Release.id.desc()) if desc else (column.asc(), Release.id.asc())
    query = query.order_by(*order).limit(51)
    async with sessions() as session:
        conn = await session.connection()
        compiled = query.compile(conn.sync_connection, compile_kwargs={"literal_binds": True})  # type: ignore[union-attr]
        result = await session.execute(text(f"EXPLAIN ANALYZE {compiled}"))
        for (line,) in result.all():
            print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.sqlite, args.releases, args.runs, args.explain))
