"""A live gateway with workflows and PDF workers on (assembly runs), the demo data loaded, and
releases brought to ``in_review`` through API v1 the way tests/e2e/test_release_flow_live.py
does: an attorney token of the demo firm submits a request, the workflow assembles it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from gateway.auth.accounts import create_token
from gateway.auth.models import Organisation, User
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.cli import main
from gateway.db import build_engine, build_session_maker
from gateway.demo.loader import DEMO_ORGANISATION
from gateway.demo.records import DEMO_PATIENT
from gateway.releases.models import Release
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.e2e.browser.conftest import Site, off_loop
from tests.fixtures.app import settings_env, start_gateway
from tests.fixtures.db import migrated_settings

EVIDENCE = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # never parsed (DESIGN.md)
WAIT_S = 240.0
FULL_GATEWAY = {"ROI_WORKFLOW__ENABLED": "true"}


@dataclass
class ReviewSite(Site):
    attorney_token: str = ""

    def submit(self) -> dict[str, Any]:
        """A request of the demo firm for the demo patient; returns it once in review."""
        with httpx.Client(base_url=self.url, timeout=60) as http:
            answer = http.post(
                "/api/v1/requests",
                headers={"Authorization": f"Bearer {self.attorney_token}"},
                data={"request": json.dumps(request_body())},
                files={"evidence": ("authorization.pdf", EVIDENCE, "application/pdf")},
            )
            assert answer.status_code == 201, answer.text
            return self.settle(http, answer.json()["id"], {"in_review"})

    def settle(self, http: httpx.Client, release_id: str, states: set[str]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            got = http.get(
                f"/api/v1/requests/{release_id}",
                headers={"Authorization": f"Bearer {self.attorney_token}"},
            )
            assert got.status_code == 200, got.text
            if got.json()["state"] in states | {"rejected", "on_hold", "needs_your_action"}:
                body: dict[str, Any] = got.json()
                assert body["state"] in states, body
                return body
            time.sleep(0.5)
        pytest.fail(f"release did not settle within {WAIT_S} s")

    def settle_after_reassembly(self, release_id: str) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as http:
            self.settle(http, release_id, {"in_review"})

    def mark_sensitive(self, release_id: str) -> None:
        """Seeding shortcut: the demo data has no sensitive record in scope."""
        off_loop(asyncio.run, _mark_sensitive(self.settings, release_id))


def request_body() -> dict[str, Any]:
    today = datetime.now(UTC).date()
    basis = {
        "type": "authorization",
        "description": "Records of treatment after the fall in February 2026",
        "discloser": "Riverside General Hospital (synthetic)",
        "recipient": {"name": DEMO_ORGANISATION, "email": "records@hargrove-pike.example"},
        "purpose": "personal injury claim",
        "signer": {"kind": "patient"},
        "signed": True,
        "signature_date": (today - timedelta(days=3)).isoformat(),
        "expiration_date": (today + timedelta(days=180)).isoformat(),
        "statements": ["revocation_right", "conditioning", "redisclosure"],
    }
    return {
        "patient": {
            "mrn": DEMO_PATIENT.mrn,
            "family_name": DEMO_PATIENT.family_name,
            "given_name": DEMO_PATIENT.given_name,
            "birth_date": DEMO_PATIENT.birth_date.isoformat(),
        },
        "recipient": {
            "kind": "attorney",
            "name": DEMO_ORGANISATION,
            "email": "records@hargrove-pike.example",
        },
        "basis": basis,
        "purpose": "personal injury claim",
        "scope": {
            "document_types": ["clinical_note", "lab_result"],
            "start": "2026-01-01",
            "end": "2026-12-31",
        },
    }


async def _attorney_token(settings: Settings) -> str:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session, session.begin():
            admin = await session.scalar(select(User).where(User.role == "admin"))
            firm = await session.scalar(
                select(Organisation).where(Organisation.name == DEMO_ORGANISATION)
            )
            assert admin is not None
            assert firm is not None
            actor = Principal(Via.SESSION, admin.id, Role.ADMIN, None)
            made = await create_token(
                session,
                actor,
                name="firm",
                role="attorney",
                organisation_id=firm.id,
                clock=SystemClock(),
            )
            return made.token
    finally:
        await engine.dispose()


async def _mark_sensitive(settings: Settings, release_id: str) -> None:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session, session.begin():
            await session.execute(
                update(Release).where(Release.id == uuid.UUID(release_id)).values(sensitive=True)
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewSite]:
    root = tmp_path_factory.mktemp("review")
    database = migrated_settings(root / "data")
    settings = off_loop(database.__enter__)
    env = settings_env(settings)
    demo = off_loop(CliRunner().invoke, main, ["demo", "--if-empty"], env=env)
    assert demo.exit_code == 0, demo.output
    token = off_loop(asyncio.run, _attorney_token(settings))
    gateway = start_gateway(settings, root / "gateway.log", env=FULL_GATEWAY)
    try:
        yield ReviewSite(gateway, settings, attorney_token=token)
    finally:
        gateway.process.terminate()
        try:
            gateway.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gateway.process.kill()
            gateway.process.wait()
        off_loop(database.__exit__, None, None, None)
