"""Crash harness for packet assembly (SECURITY attack 10, R43 in small): the gateway runs as a
subprocess, is SIGKILLed at a random moment while it assembles, and is started again.

    python -m tests.e2e.crash_harness --count 30 [--seed N] [--per-round 1]

Each round adds ``--per-round`` releases in ``assembling`` (as intake leaves them after its
commit, with no workflow enqueued: the start-up sweep must find them), starts ``roi serve``,
kills it with SIGKILL after a random delay, and goes on. Releases of earlier rounds are still
pending in DBOS or not yet enqueued: every restart resumes them (orphan recovery, sweep). At the
end one gateway runs until no release is left in ``assembling`` and is stopped with SIGTERM.

Then the invariants: every release left ``assembling`` and reached ``in_review``; exactly one
packet per release and version, its blob stored intact; exactly one ``packet.assembled`` and
one ``release.in_review`` ledger entry per release; no idempotency key twice; the run row
finished; and ``roi ledger verify`` passes. The database is this run's backend (``ROI_TEST_DB``:
sqlite, or postgresql on 127.0.0.1:5432). Prints one summary line; exit 0 means 0 violations.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.ledger.models import LedgerEntry
from gateway.releases.models import AssemblyRun, Packet, Release
from gateway.settings import Settings
from tests.builders import releases as b
from tests.fixtures.app import free_port, settings_env
from tests.fixtures.db import migrated_settings

START_TIMEOUT_S = 180.0  # generous: a loaded 2-core machine takes a while to import
DRAIN_TIMEOUT_S = 300.0
KILL_WINDOW_S = (0.0, 1.5)  # after an assembly step moved on in this round
PROGRESS_TIMEOUT_S = 90.0
EARLY_KILL_SHARE = 0.25
PAGES = 6


@dataclass
class Report:
    rounds: int = 0
    kills: int = 0
    releases: int = 0
    orphan_blobs: int = 0
    violations: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"crash_harness rounds={self.rounds} kills={self.kills} releases={self.releases} "
            f"orphan_blobs={self.orphan_blobs} violations={len(self.violations)}"
        )


def _env(settings: Settings) -> dict[str, str]:
    env = settings_env(settings) | {"PYTHONUNBUFFERED": "1"}
    env["ROI_PDF__CHECK__WORKERS"] = "1"
    env["ROI_PDF__ASSEMBLE__WORKERS"] = "1"
    return env


def start(
    settings: Settings, log: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=_env(settings) | (extra_env or {}),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited ({process.returncode}); see {log}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("gateway did not start")


def progress(settings: Settings) -> tuple[object, ...]:
    """What the assembly runs have done so far (changes whenever a step moves on)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        url = url.set(drivername="sqlite")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            runs = select(
                func.count(), func.max(AssemblyRun.updated_at), func.sum(AssemblyRun.pages_done)
            )
            row = conn.execute(runs).one()
            packets = conn.execute(select(func.count()).select_from(Packet)).scalar_one()
            return (*tuple(row), packets)
    finally:
        engine.dispose()


def _wait_for_progress(settings: Settings, before: tuple[object, ...]) -> None:
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    while time.monotonic() < deadline and progress(settings) == before:
        time.sleep(0.1)


def _kill_during_startup(settings: Settings, log: Path, after_s: float) -> None:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(free_port())],
            env=_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    time.sleep(after_s)
    kill(process)


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def seed(settings: Settings, count: int) -> list[uuid.UUID]:
    engine = build_engine(settings)
    blobs = build_blob_store(settings)
    ids: list[uuid.UUID] = []
    try:
        async with build_session_maker(engine)() as session, session.begin():
            for _ in range(count):
                person = b.demo_patient(mrn=f"MRN-{uuid.uuid4().int % 10**9:09d}")
                patient = await b.create_patient(session, person)
                pdf = b.record_pdf(person, pages=PAGES)
                await b.create_record(session, blobs, patient, pdf)
                ids.append((await b.create_release(session, patient)).id)
    finally:
        await engine.dispose()
    return ids


async def assembling_left(settings: Settings) -> int:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            query = select(func.count()).select_from(Release).where(Release.state == "assembling")
            return int(await session.scalar(query) or 0)
    finally:
        await engine.dispose()


def drain(settings: Settings, log: Path) -> None:
    process, _ = start(settings, log)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while _run(assembling_left(settings)) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(process)


async def check(settings: Settings, ids: list[uuid.UUID], report: Report) -> None:
    engine = build_engine(settings)
    blobs = build_blob_store(settings)
    v = report.violations
    try:
        async with build_session_maker(engine)() as session:
            for rid in ids:
                release = await session.get(Release, rid)
                packets = list(
                    await session.scalars(select(Packet).where(Packet.release_id == rid))
                )
                runs = list(
                    await session.scalars(select(AssemblyRun).where(AssemblyRun.release_id == rid))
                )
                events = list(
                    await session.scalars(
                        select(LedgerEntry.event_type).where(LedgerEntry.release_id == rid)
                    )
                )
                if release is None or release.state != "in_review":
                    v.append(f"{rid}: state {release.state if release else None}")
                if [p.version for p in packets] != [1]:
                    v.append(f"{rid}: packets {[p.version for p in packets]}")
                for packet in packets:
                    try:
                        stored = await blobs.get(packet.blob_key)
                        if len(stored) != packet.size:
                            v.append(f"{rid}: blob size")
                    except Exception as exc:  # noqa: BLE001 - any failure is a violation
                        v.append(f"{rid}: blob {type(exc).__name__}")
                if [(r.state, r.finished_at is not None) for r in runs] != [("succeeded", True)]:
                    v.append(f"{rid}: runs {[(r.state, r.step) for r in runs]}")
                for event in ("packet.assembled", "release.in_review"):
                    if events.count(event) != 1:
                        v.append(f"{rid}: {event} x{events.count(event)}")
            dup = (
                select(LedgerEntry.idempotency_key)
                .group_by(LedgerEntry.idempotency_key)
                .having(func.count() > 1)
            )
            if list(await session.scalars(dup)):
                v.append("ledger: an idempotency key twice")
            referenced = set(await session.scalars(select(Packet.blob_key)))
    finally:
        await engine.dispose()
    report.orphan_blobs = _orphans(settings, referenced)


def _orphans(settings: Settings, referenced: set[str]) -> int:
    """Packet blobs no row points at (a build step that ran again after a kill)."""
    root = settings.data_dir / "blobs" / "packets"
    if not root.exists():
        return 0
    files = [p for p in root.rglob("*") if p.is_file() and "." not in p.name]
    keys = {str(p.relative_to(settings.data_dir / "blobs")) for p in files}
    return len(keys - referenced)


def ledger_verify(settings: Settings, report: Report) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "ledger", "verify"],
        env=_env(settings),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        report.violations.append(f"roi ledger verify exit {done.returncode}")


@contextmanager
def workspace(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="roi-crash-") as tmp:
        yield Path(tmp)


def run(count: int, *, seed_value: int, per_round: int, workdir: str | None) -> Report:
    rng = random.Random(seed_value)
    report = Report()
    with workspace(workdir) as root, migrated_settings(root / "data") as settings:
        log = root / "gateway.log"
        ids: list[uuid.UUID] = []
        startup_s = 5.0
        for _ in range(count):
            ids += _run(seed(settings, per_round))  # type: ignore[operator]
            if rng.random() < EARLY_KILL_SHARE:  # during start-up: DBOS recovery, the sweep
                _kill_during_startup(settings, log, rng.uniform(0.5, startup_s))
            else:
                began = time.monotonic()
                before = progress(settings)
                process, _url = start(settings, log)
                startup_s = time.monotonic() - began
                _wait_for_progress(settings, before)  # the kill lands inside an assembly
                time.sleep(rng.uniform(*KILL_WINDOW_S))
                kill(process)
            report.rounds += 1
            report.kills += 1
        drain(settings, log)
        report.releases = len(ids)
        _run(check(settings, ids, report))
        ledger_verify(settings, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=30, help="kill-and-restart rounds")
    parser.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "big"))
    parser.add_argument("--per-round", type=int, default=1, help="new releases per round")
    parser.add_argument("--workdir", default=None, help="keep data and logs here")
    args = parser.parse_args(argv)
    report = run(args.count, seed_value=args.seed, per_round=args.per_round, workdir=args.workdir)
    lines = [f"{report.line()} seed={args.seed}"]
    lines += [f"violation: {v}" for v in report.violations]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if not report.violations else 1


if __name__ == "__main__":
    sys.exit(main())
