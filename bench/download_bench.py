"""Download path throughput (issue 6): the full link download against a bare Litestar route
streaming the same 1 MiB file, in one run, with wrk (Debian) and a Lua script for the POST.

    .venv/bin/python bench/download_bench.py [--pg] [--seconds 15] [--connections 8] [--rounds 3]

Full path: ``POST /l/{token}`` on ``roi serve`` (token check, CSRF, rate limiter, the link read,
one conditional UPDATE of the use count with ``download.started`` in the downloads' group
commit, the 1 MiB packet streamed from the local blob store with its SHA-256 checked, then
``download.completed`` in a later group commit). Bare and full run in turn, ``--rounds`` times;
the medians are compared (the machine is shared, so one pair alone is noisy). The link has
a use limit larger than the run needs and the rate limits are raised out of the way. Bare:
``bench/bare_stream.py`` under the same uvicorn, streaming the same file from disk on POST.
Target: full >= 50% of bare requests/s and full p99 <= 3x bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import update

from gateway.auth import tokens as session_tokens
from gateway.db import build_engine, build_session_maker
from gateway.migrations import runner
from gateway.releases.delivery import DeliveryLink, deliver_release
from gateway.releases.models import Packet, Patient, Release
from gateway.releases.sweeps import delivery_deps
from gateway.settings import DatabaseSettings, Settings

HERE = Path(__file__).resolve().parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
MIB = 1024 * 1024
SYSTEM = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
LUA = HERE / "download_post.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_of(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env |= {
        "ROI_DATA_DIR": str(settings.data_dir),
        "ROI_ENVIRONMENT": "production",
        "ROI_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "warning"),
        "ROI_WORKFLOW__ENABLED": "false",
        "ROI_PDF__EAGER_START": "false",
        "ROI_DELIVERY__DOWNLOADS_PER_MINUTE": "1000000",
        "ROI_DELIVERY__DOWNLOADS_PER_MINUTE_PER_ADDRESS": "1000000",
        "ROI_DELIVERY__SWEEP_INTERVAL_S": "3600",
    }
    if settings.database.url:
        env["ROI_DATABASE__URL"] = settings.database.url
    return env


async def seed(settings: Settings, packet: bytes) -> str:
    """One released release with a 1 MiB packet and its link; returns the link's token."""
    engine = build_engine(settings)
    sessions = build_session_maker(engine)
    deps = delivery_deps(settings, sessions)
    stored = await deps.blobs.put(packet, content_type="application/pdf", prefix="packets")
    now = deps.clock.now()
    async with sessions() as session, session.begin():
        patient = Patient(
            mrn="SYN-BENCH-1",
            family_name="Bench",
            given_name="Synthetic",
            birth_date=date(1970, 1, 2),
            identifiers=[],
            created_at=now,
            created_by=SYSTEM,
        )
        session.add(patient)
        await session.flush()
        release = Release(
            reference="R-BENCH00001",
            kind="request",
            state="approved",
            patient_id=patient.id,
            recipient={"kind": "attorney", "name": "Synthetic Law LLP", "email": None},
            basis_type="authorization",
            basis={
                "type": "authorization",
                "expiration_date": (now.date() + timedelta(days=180)).isoformat(),
            },
            purpose="benchmark",
            due_on=now.date() + timedelta(days=30),
            opened_by=SYSTEM,
            packet_version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(release)
        await session.flush()
        session.add(
            Packet(
                release_id=release.id,
                version=1,
                blob_key=stored.key,
                sha256=stored.sha256,
                size=stored.size,
                page_count=1,
                provenance=["generated"],
                report={},
                engine_version="bench",
                verified=True,
                created_at=now,
            )
        )
        release_id = release.id
    link_id = await deliver_release(deps, release_id)
    assert link_id is not None, "the seeded release was not delivered"  # noqa: S101
    async with sessions() as session, session.begin():
        await session.execute(
            update(DeliveryLink).where(DeliveryLink.id == link_id).values(max_uses=10**9)
        )
        link = await session.get(DeliveryLink, link_id)
        assert link is not None  # noqa: S101
        token = deps.service(session).token_for(link)
    await engine.dispose()
    return token


def serve(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server on {port} did not start:\n{log.read_text()[-2000:]}")


def wrk(url: str, *, seconds: int, connections: int, cookie: str, body: str) -> dict[str, float]:
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_BODY": body}
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+)(us|ms|s)", out))
    p50 = _ms(re.search(r"50%\s+([\d.]+)(us|ms|s)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def measured(pid: int, url: str, **load: Any) -> dict[str, float]:
    """A wrk run, with the server's CPU time per request (all its threads; user and system)."""
    before = cpu_seconds(pid)
    run = wrk(url, **load)
    after = cpu_seconds(pid)
    requests = max(1.0, run["rps"] * load["seconds"])
    user, system = ((a - b) * 1000 / requests for a, b in zip(after, before, strict=True))
    run["cpu_ms_per_request"] = round(user + system, 2)
    run["user_ms_per_request"] = round(user, 2)
    run["system_ms_per_request"] = round(system, 2)
    return run


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _ms(match: re.Match[str] | None) -> float:
    assert match is not None  # noqa: S101
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _profile(target: Path | None, pid: int, seconds: int) -> subprocess.Popen[bytes] | None:
    """py-spy recording the full server for one run (raw collapsed stacks of the thread holding the
    GIL: where the one Python core goes), when asked."""
    if target is None:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "-p", str(pid), "-f", "raw", "-o", str(target)]
    command += ["-d", str(seconds), "-r", "200", "--gil"]  # only the thread holding the GIL
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def database(pg: bool, tmp: Path) -> tuple[Settings, str | None]:
    if not pg:
        return Settings(data_dir=tmp / "data"), None
    name = f"roi_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    return Settings(data_dir=tmp / "data", database=DatabaseSettings(url=url)), name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare then full, this many times; medians reported"
    )
    parser.add_argument("--keep-log", type=Path, help="copy the full server's log here")
    parser.add_argument(
        "--profile", type=Path, help="py-spy collapsed stacks of the full server to this file"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        settings, pg_name = database(args.pg, tmp)
        try:
            run(settings, tmp, args)
        finally:
            if pg_name:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def run(settings: Settings, tmp: Path, args: argparse.Namespace) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    runner.upgrade(settings)
    packet = b"%PDF-1.4\n" + os.urandom(MIB - 16) + b"\n%%EOF\n"
    token = asyncio.run(seed(settings, packet))
    bare_file = tmp / "packet.pdf"
    bare_file.write_bytes(packet)
    nonce = session_tokens.new_session_secret()
    cookie = f"__Secure-roi_link_csrf={nonce}"  # production settings: Secure cookies
    body = f"csrf_token={session_tokens.csrf_token(nonce)}"
    env = env_of(settings)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if args.pg else "sqlite",
        "connections": args.connections,
        "seconds": args.seconds,
        "load_before": os.getloadavg(),
    }
    full_port, bare_port = free_port(), free_port()
    full = serve(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(full_port)],
        env,
        full_port,
        tmp / "full.log",
    )
    bare = serve(
        [sys.executable, str(HERE / "bare_stream.py"), str(bare_port), str(bare_file)],
        env,
        bare_port,
        tmp / "bare.log",
    )
    try:
        full_url = f"http://127.0.0.1:{full_port}/l/{token}"
        check = httpx.post(
            full_url,
            content=body,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        if check.status_code != 200 or check.content != packet:
            raise SystemExit(f"the full path did not download the packet: {check.text[:300]}")
        bare_url = f"http://127.0.0.1:{bare_port}/download"
        rounds: list[dict[str, dict[str, float]]] = []
        for number in range(args.rounds):
            load = {"cookie": cookie, "body": body, "seconds": args.seconds}
            bare_run = measured(bare.pid, bare_url, connections=args.connections, **load)
            spy = _profile(args.profile, full.pid, args.seconds) if number == 0 else None
            full_run = measured(full.pid, full_url, connections=args.connections, **load)
            if spy is not None:
                spy.wait(timeout=60)
            rounds.append({"bare": bare_run, "full": full_run})
    finally:
        for process in (full, bare):
            process.terminate()
            process.wait(timeout=10)
        if args.keep_log:  # also when the run failed: the log says why
            shutil.copy(tmp / "full.log", args.keep_log)
    results["rounds"] = rounds
    for side in ("bare", "full"):
        results[side] = {
            key: statistics.median(r[side][key] for r in rounds) for key in rounds[0][side]
        }
    results["rps_ratio"] = round(results["full"]["rps"] / results["bare"]["rps"], 3)
    results["p99_ratio"] = round(results["full"]["p99_ms"] / results["bare"]["p99_ms"], 2)
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
