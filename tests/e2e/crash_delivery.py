"""Crash harness for approval and delivery (SECURITY attack 10; issue 6): the gateway runs as a
subprocess and is SIGKILLed at a random moment while staff approve releases (one by one, the
second approval of sensitive ones, bulk) and while recipients download through their links, or
while it starts; then it is started again.

    python -m tests.e2e.crash_delivery --count 30 [--seed N] [--workdir DIR]

Seeded: releases in review with a verified packet stored in the blob store (some sensitive, so
two approvers are needed) and a few with an unverified packet (never approvable). At the end one
gateway runs until its delivery sweep has issued and mailed every link, and is stopped.

Invariants: no release is left ``approved``; every released release has exactly one link, for
its verified packet version, mailed, and its approval(s) on record (two distinct approvers when
sensitive); no link or approval for an unverified packet; each link's use count equals its
``download.started`` entries; every ``download.completed``/``aborted`` has its ``started`` and no
download both; each state transition has its one ledger entry; no idempotency key twice; and
``roi ledger verify`` passes. Prints one summary line; exit 0 means 0 violations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from gateway.auth import create_user
from gateway.auth import tokens as csrf
from gateway.auth.accounts import create_token
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.ledger.models import LedgerEntry
from gateway.releases.approval_models import ReleaseApproval
from gateway.releases.delivery import DeliveryLink
from gateway.releases.models import Packet, Release, ReleaseTransition
from gateway.releases.states import State
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.builders.approval import create_release, packet_row
from tests.e2e import crash_harness as harness
from tests.e2e.crash_harness import kill, ledger_verify, workspace
from tests.fixtures.app import free_port, settings_env
from tests.fixtures.auth import CHEAP_PASSWORDS
from tests.fixtures.db import migrated_settings

DRAIN_TIMEOUT_S = 120.0
LINK = re.compile(r"/l/([A-Za-z0-9._-]+)")
PDF = b"%PDF-1.4\n% synthetic packet for the delivery crash harness\n" + b"0" * 8192 + b"\n%%EOF\n"
LIGHT = {
    "ROI_WORKFLOW__ENABLED": "false",
    "ROI_PDF__EAGER_START": "false",
    "ROI_DELIVERY__SWEEP_INTERVAL_S": "0.5",
    "ROI_DELIVERY__MAX_USES": "50",
    "ROI_DELIVERY__DOWNLOADS_PER_MINUTE": "100000",
    "ROI_DELIVERY__DOWNLOADS_PER_MINUTE_PER_ADDRESS": "100000",
}


@dataclass
class Report:
    rounds: int = 0
    kills: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    releases: int = 0
    released: int = 0
    downloads: int = 0
    violations: list[str] = field(default_factory=list)

    def line(self) -> str:
        phases = ",".join(f"{k}:{v}" for k, v in sorted(self.phases.items()))
        return (
            f"crash_delivery rounds={self.rounds} kills={self.kills} phases={phases} "
            f"releases={self.releases} released={self.released} downloads={self.downloads} "
            f"violations={len(self.violations)}"
        )


@dataclass
class Staff:
    preparer: uuid.UUID
    first: str  # bearer tokens of two approvers
    second: str


def env(settings: Settings) -> dict[str, str]:
    return settings_env(settings) | {"PYTHONUNBUFFERED": "1"} | LIGHT


def start(settings: Settings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    return harness.start(settings, log, LIGHT)


async def seed(settings: Settings, count: int, rng: random.Random) -> tuple[Staff, list[uuid.UUID]]:
    engine = build_engine(settings)
    blobs = build_blob_store(settings)
    clock = SystemClock()
    ids: list[uuid.UUID] = []
    try:
        async with build_session_maker(engine)() as session, session.begin():
            people = []
            for _ in range(3):
                new = await create_user(
                    session,
                    email=f"staff-{uuid.uuid4().hex[:8]}@example.test",
                    role="specialist",
                    organisation=None,
                    passwords=CHEAP_PASSWORDS,
                    clock=clock,
                )
                people.append(new.user)
            tokens = []
            for user in people[1:]:
                actor = Principal(Via.SESSION, user.id, Role.SPECIALIST, None)
                made = await create_token(
                    session,
                    actor,
                    name="crash approver",
                    role="specialist",
                    organisation_id=None,
                    clock=clock,
                )
                tokens.append(made.token)
            for n in range(count):
                stored = await blobs.put(PDF, content_type="application/pdf", prefix="packets")
                release = await create_release(
                    session,
                    opened_by=people[0].id,
                    sensitive=rng.random() < 0.3,
                    recipient_email=f"records-{n}@synthetic-law.example",
                    packet=None,
                    created_at=clock.now(),
                )
                release.packet_version = 1
                packet = packet_row(release, verified=n % 10 != 9)  # every tenth: unverified
                packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
                session.add(packet)
                ids.append(release.id)
        return Staff(people[0].id, tokens[0], tokens[1]), ids
    finally:
        await engine.dispose()


async def snapshot(settings: Settings) -> dict[str, Any]:
    """Releases in review (with row versions) and released ones' links, read from the database."""
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            review = [
                (r.id, r.row_version, r.sensitive)
                for r in await session.scalars(
                    select(Release).where(Release.state == State.IN_REVIEW.value)
                )
            ]
            released = list(
                await session.scalars(select(Release.id).where(Release.state == "released"))
            )
            return {"review": review, "released": released}
    finally:
        await engine.dispose()


def mailed_tokens(settings: Settings) -> list[str]:
    found: list[str] = []
    for path in sorted((settings.data_dir / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if isinstance(body, EmailMessage):
            found += LINK.findall(body.get_content())
    return found


def approve_calls(url: str, staff: Staff, snap: dict[str, Any], rng: random.Random) -> list[Any]:
    calls = []
    review = list(snap["review"])
    rng.shuffle(review)
    for release_id, version, sensitive in review[:3]:
        token = staff.second if sensitive and rng.random() < 0.5 else staff.first
        calls.append(
            (
                f"{url}/api/v1/queue/{release_id}/approve",
                {"json": {"row_version": version}, "headers": {"Authorization": f"Bearer {token}"}},
            )
        )
    if len(review) > 3:
        items = [{"release_id": str(r), "row_version": v} for r, v, _ in review[3:6]]
        calls.append(
            (
                f"{url}/api/v1/queue/bulk-approve",
                {"json": {"items": items}, "headers": {"Authorization": f"Bearer {staff.first}"}},
            )
        )
    return calls


def download_calls(url: str, settings: Settings, rng: random.Random) -> list[Any]:
    tokens = mailed_tokens(settings)
    rng.shuffle(tokens)
    calls = []
    for token in tokens[:4]:
        nonce = uuid.uuid4().hex
        calls.append(
            (
                f"{url}/l/{token}",
                {
                    "data": {"csrf_token": csrf.csrf_token(nonce)},
                    "headers": {"Cookie": f"__Secure-roi_link_csrf={nonce}"},  # Secure cookies: on
                },
            )
        )
    return calls


def fire(calls: list[Any]) -> None:
    def one(call: Any) -> None:
        target, kwargs = call
        with contextlib.suppress(httpx.HTTPError):  # the gateway was killed under it
            httpx.post(target, timeout=5, **kwargs)

    pool = ThreadPoolExecutor(max_workers=max(1, len(calls)))
    for call in calls:
        pool.submit(one, call)
    pool.shutdown(wait=False)


async def check(settings: Settings, ids: list[uuid.UUID], report: Report) -> None:  # noqa: PLR0912
    engine = build_engine(settings)
    v = report.violations
    try:
        async with build_session_maker(engine)() as session:
            entries = list(await session.scalars(select(LedgerEntry)))
            keys = Counter(e.idempotency_key for e in entries)
            v += [f"ledger: key twice {k}" for k, n in keys.items() if n > 1]
            started = Counter(
                str(e.details.get("link_id")) for e in entries if e.event_type == "download.started"
            )
            report.downloads = sum(started.values())
            key_set = set(keys)
            for key in key_set:
                if key.startswith("download:") and not key.endswith(":started"):
                    base = key.rsplit(":", 1)[0]
                    if f"{base}:started" not in key_set:
                        v.append(f"{key} without its start")
                    if key.endswith(":completed") and f"{base}:aborted" in key_set:
                        v.append(f"{base} both completed and aborted")
            for rid in ids:
                release = await session.get(Release, rid)
                assert release is not None
                packet = await session.scalar(select(Packet).where(Packet.release_id == rid))
                links = list(
                    await session.scalars(
                        select(DeliveryLink).where(DeliveryLink.release_id == rid)
                    )
                )
                approvers = set(
                    await session.scalars(
                        select(ReleaseApproval.approver_id).where(ReleaseApproval.release_id == rid)
                    )
                )
                transitions = Counter(
                    t.to_state
                    for t in await session.scalars(
                        select(ReleaseTransition).where(ReleaseTransition.release_id == rid)
                    )
                )
                events = Counter(
                    e.event_type.removeprefix("release.")
                    for e in entries
                    if e.release_id == rid
                    and e.event_type.startswith("release.")
                    and e.event_type.removeprefix("release.") in {s.value for s in State}
                )
                if transitions != events:
                    v.append(f"{rid}: transitions {dict(transitions)} vs ledger {dict(events)}")
                if release.state == State.APPROVED.value:
                    v.append(f"{rid}: left approved")
                if packet is None or not packet.verified:
                    if links or approvers or release.state != State.IN_REVIEW.value:
                        v.append(f"{rid}: unverified packet went on ({release.state})")
                    continue
                if release.state in {"released", "revoked", "expired"}:
                    report.released += 1
                    if len(links) != 1:
                        v.append(f"{rid}: {len(links)} links")
                    if release.sensitive and len(approvers) < 2:
                        v.append(f"{rid}: sensitive with {len(approvers)} approver(s)")
                    if not approvers:
                        v.append(f"{rid}: released without an approval")
                elif links:
                    v.append(f"{rid}: a link while {release.state}")
                for link in links:
                    if link.packet_id != packet.id or link.packet_version != packet.version:
                        v.append(f"{rid}: link for another packet")
                    if link.notified_at is None:
                        v.append(f"{rid}: link never mailed")
                    if link.uses != started.get(str(link.id), 0):
                        v.append(f"{rid}: uses {link.uses} vs started {started.get(str(link.id))}")
    finally:
        await engine.dispose()


async def drained(settings: Settings) -> bool:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            approved = await session.scalar(
                select(Release.id).where(Release.state == State.APPROVED.value).limit(1)
            )
            unmailed = await session.scalar(
                select(DeliveryLink.id).where(DeliveryLink.notified_at.is_(None)).limit(1)
            )
            return approved is None and unmailed is None
    finally:
        await engine.dispose()


def drain(settings: Settings, log: Path) -> None:
    process, _ = start(settings, log)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while not asyncio.run(drained(settings)) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(process)


def run(count: int, *, seed_value: int, releases: int, workdir: str | None) -> Report:
    rng = random.Random(seed_value)
    report = Report()
    with workspace(workdir) as root, migrated_settings(root / "data") as settings:
        log = root / "gateway.log"
        staff, ids = asyncio.run(seed(settings, releases, rng))
        report.releases = len(ids)
        for _ in range(count):
            phase = rng.choices(["startup", "approve", "download"], weights=[2, 4, 4])[0]
            if phase == "startup":
                with log.open("ab") as out:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(free_port())],
                        env=env(settings),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                time.sleep(rng.uniform(0.5, 4.0))
            else:
                process, url = start(settings, log)
                time.sleep(rng.uniform(0.0, 1.0))  # the delivery sweep runs meanwhile
                snap = asyncio.run(snapshot(settings))
                calls = (
                    approve_calls(url, staff, snap, rng)
                    if phase == "approve"
                    else download_calls(url, settings, rng)
                )
                fire(calls)
                time.sleep(rng.uniform(0.05, 1.5))  # the kill lands before, during or after
            kill(process)
            report.phases[phase] += 1
            report.rounds += 1
            report.kills += 1
        drain(settings, log)
        asyncio.run(check(settings, ids, report))
        ledger_verify(settings, report)  # type: ignore[arg-type]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=30, help="kill-and-restart rounds")
    parser.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "big"))
    parser.add_argument("--releases", type=int, default=40, help="releases in review at start")
    parser.add_argument("--workdir", default=None, help="keep data and logs here")
    args = parser.parse_args(argv)
    report = run(args.count, seed_value=args.seed, releases=args.releases, workdir=args.workdir)
    lines = [f"{report.line()} seed={args.seed}"]
    lines += [f"violation: {v}" for v in report.violations]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if not report.violations else 1


if __name__ == "__main__":
    sys.exit(main())
