"""Issue 6, part 2, end to end over HTTP against a live gateway: a request submitted and
assembled (as ``test_release_flow_live`` part 1) is approved by a second staff member -> the
link is mailed (outbox) -> GETs change nothing -> a POST downloads the packet (a valid PDF) ->
beyond the use limit refused -> revoked link refused -> ``roi ledger verify`` passes -> the
accounting of disclosures (include_exempt, the basis is an authorization) lists it."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from gateway.auth import create_user
from gateway.auth.accounts import create_token
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.cli import main
from gateway.db import build_engine, build_session_maker
from gateway.demo.loader import DEMO_ORGANISATION
from gateway.releases.models import Release
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.e2e.test_release_flow_live import (
    _assert_redacted_stamped_numbered,
    _authorization,
    _packet,
    _settle,
    _submit,
    _tokens,
)
from tests.fixtures.app import settings_env, start_gateway
from tests.fixtures.auth import CHEAP_PASSWORDS
from tests.integration.links.conftest import CSRF, LINK, bodies_in
from tests.integration.releases.assembly_support import pdftotext

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.timeout(600)]


async def _second_staff(settings: Settings) -> str:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session, session.begin():
            # Another person than the admin whose tokens submitted and prepared the release.
            user = (
                await create_user(
                    session,
                    email=f"approver-{uuid.uuid4().hex[:8]}@example.test",
                    role="specialist",
                    organisation=None,
                    passwords=CHEAP_PASSWORDS,
                    clock=SystemClock(),
                )
            ).user
            actor = Principal(Via.SESSION, user.id, Role.SPECIALIST, None)
            new = await create_token(
                session,
                actor,
                name="approver",
                role="specialist",
                organisation_id=None,
                clock=SystemClock(),
            )
            return new.token
    finally:
        await engine.dispose()


async def _patient_of(settings: Settings, release_id: str) -> uuid.UUID:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            release = await session.get(Release, uuid.UUID(release_id))
            assert release is not None
            return release.patient_id
    finally:
        await engine.dispose()


def _form(http: httpx.Client, url: str) -> dict[str, str]:
    page = http.get(url, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    pairs = [c.split(";", 1)[0] for c in page.headers.get_list("set-cookie")]
    http.headers["Cookie"] = "; ".join(pairs)  # Secure cookie over plain http to 127.0.0.1
    return {"csrf_token": found.group(1)}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_approved_release_is_mailed_downloaded_limited_revoked_and_accounted(
    fresh_settings: Settings, tmp_path: Path
) -> None:
    env = settings_env(fresh_settings)
    demo = CliRunner().invoke(main, ["demo", "--if-empty"], env=env)
    assert demo.exit_code == 0, demo.output
    attorney, staff = asyncio.run(_tokens(fresh_settings))
    approver = asyncio.run(_second_staff(fresh_settings))
    outbox = fresh_settings.data_dir / "outbox"
    gateway = start_gateway(fresh_settings, tmp_path / "gateway.log")
    try:
        with httpx.Client(base_url=gateway.url, timeout=60) as http:
            kept = ["clinical_note", "lab_result"]
            good = _submit(http, attorney, kept, _authorization())
            assert _settle(http, attorney, good["id"])["state"] == "in_review"
            detail = http.get(f"/api/v1/queue/{good['id']}", headers=_auth(approver))
            assert detail.status_code == 200, detail.text
            approved = http.post(
                f"/api/v1/queue/{good['id']}/approve",
                json={"row_version": detail.json()["row_version"]},
                headers=_auth(approver),
            )
            assert approved.status_code == 200, approved.text
            url = _mailed_link(outbox, gateway.text)
            links = http.get(f"/api/v1/queue/{good['id']}/links", headers=_auth(staff)).json()
            (link,) = links
            for _ in range(3):
                assert http.get(url).status_code == 200
            assert (
                http.get(f"/api/v1/queue/{good['id']}/links", headers=_auth(staff)).json()[0][
                    "uses"
                ]
                == 0
            )
            form = _form(http, url)
            pdfs = [http.post(url, data=form) for _ in range(link["max_uses"])]
            for got in pdfs:
                assert got.status_code == 200, got.text
                assert got.content.startswith(b"%PDF-")
            assert pdfs[0].content == _packet(http, staff, good["id"])  # the stored packet
            assert pdftotext(pdfs[0].content).strip()
            _assert_redacted_stamped_numbered(pdfs[0].content, good["reference"])
            spent = http.post(url, data=form)
            assert (spent.status_code, spent.json()["code"]) == (403, "LINK_REFUSED")
            revoked = http.post(
                f"/api/v1/links/{link['id']}/revoke",
                json={"reason_code": "SENT_IN_ERROR"},
                headers=_auth(staff),
            )
            assert revoked.status_code == 200, revoked.text
            gone = http.get(url)
            assert (gone.status_code, gone.json()["code"]) == (403, "LINK_REFUSED")
            patient = asyncio.run(_patient_of(fresh_settings, good["id"]))
            accounting = http.get(
                f"/api/v1/patients/{patient}/accounting",
                params={"include_exempt": "true"},
                headers=_auth(staff),
            )
            assert accounting.status_code == 200, accounting.text
            mine = [d for d in accounting.json()["disclosures"] if d["release_id"] == good["id"]]
            assert len(mine) == 1, accounting.json()
            _assert_disclosure(mine[0], good["reference"])
    finally:
        gateway.process.terminate()
        gateway.process.wait(timeout=30)
    verified = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert verified.exit_code == 0, verified.output


def _mailed_link(outbox: Path, log: Callable[[], str]) -> str:
    """The link from the outbox: mailed after the approval commits (a background task)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for body in bodies_in(outbox):
            found = LINK.search(body)
            if found:
                return f"/l/{found.group(1)}"
        time.sleep(0.2)
    events = [line for line in log().splitlines() if "delivery" in line]
    pytest.fail(f"no link in the outbox: {events[-10:]}")


def _assert_disclosure(disclosure: dict[str, Any], reference: str) -> None:
    assert disclosure["disclosed_on"] == datetime.now(UTC).date().isoformat()
    assert disclosure["recipient_name"] == DEMO_ORGANISATION
    assert reference in disclosure["description"]
    assert disclosure["purpose"] == "personal injury claim"
    assert disclosure["accounting_exempt"] is True
    assert disclosure["recipient_address"] or disclosure["address_unknown"]
    assert re.match(r"\d{4}-\d{2}-\d{2}", disclosure["disclosed_on"])
