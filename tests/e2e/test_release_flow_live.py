"""Issue 5, end to end over HTTP against a live gateway (workflows and PDF workers on), on this
run's database: a requester submits with a valid authorization -> the packet is assembled ->
``in_review``; the stored packet is redacted, stamped and Bates-numbered (pdftotext and pypdf);
the psychotherapy note is excluded with its reason; a misfiled page with another patient's MRN
rejects its release (``FOREIGN_PAGE``); a defective authorization is rejected with its
findings; ``roi ledger verify`` passes. Data: ``roi demo`` (synthetic patients and records)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from gateway.auth.accounts import create_token
from gateway.auth.models import Organisation, User
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.cli import main
from gateway.db import build_engine, build_session_maker
from gateway.demo.loader import DEMO_ORGANISATION
from gateway.demo.records import DEMO_PATIENT, SECOND_PATIENT
from gateway.releases.assembly.spec import bates_prefix
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.fixtures.app import settings_env, start_gateway
from tests.integration.releases.assembly_support import pdftotext

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.timeout(600)]
EVIDENCE = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # never parsed (DESIGN.md)
SETTLED = {"in_review", "rejected", "on_hold", "needs_your_action"}
WAIT_S = 240.0


async def _tokens(settings: Settings) -> tuple[str, str]:
    """An attorney token of the demo firm and a specialist token, made by the demo admin."""
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
            clock = SystemClock()
            attorney = await create_token(
                session, actor, name="firm", role="attorney", organisation_id=firm.id, clock=clock
            )
            staff = await create_token(
                session, actor, name="staff", role="specialist", organisation_id=None, clock=clock
            )
            return attorney.token, staff.token
    finally:
        await engine.dispose()


def _authorization(**overrides: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    body: dict[str, Any] = {
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
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


def _submit(
    http: httpx.Client, token: str, types: list[str], basis: dict[str, Any]
) -> dict[str, Any]:
    body = {
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
        "scope": {"document_types": types, "start": "2026-01-01", "end": "2026-12-31"},
    }
    answer = http.post(
        "/api/v1/requests",
        headers={"Authorization": f"Bearer {token}"},
        data={"request": json.dumps(body)},
        files={"evidence": ("authorization.pdf", EVIDENCE, "application/pdf")},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _settle(http: httpx.Client, token: str, release_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        got = http.get(
            f"/api/v1/requests/{release_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert got.status_code == 200, got.text
        if got.json()["state"] in SETTLED:
            return dict(got.json())
        time.sleep(0.5)
    pytest.fail(f"release did not settle within {WAIT_S} s")


def test_a_submitted_request_becomes_a_redacted_stamped_packet_in_review(
    fresh_settings: Settings, tmp_path: Path
) -> None:
    env = settings_env(fresh_settings)
    demo = CliRunner().invoke(main, ["demo", "--if-empty"], env=env)
    assert demo.exit_code == 0, demo.output
    attorney, staff = asyncio.run(_tokens(fresh_settings))
    gateway = start_gateway(fresh_settings, tmp_path / "gateway.log")
    try:
        with httpx.Client(base_url=gateway.url, timeout=60) as http:
            kept = ["clinical_note", "lab_result", "psychotherapy_note"]
            good = _submit(http, attorney, kept, _authorization())
            misfiled = _submit(http, attorney, ["discharge_summary"], _authorization())
            defective = _submit(http, attorney, kept, _authorization(expiration_date=None))

            assert defective["state"] == "rejected"
            codes = {f["code"] for f in defective["findings"]}
            assert "AUTH_MISSING_ELEMENT:expiration" in codes

            assert good["state"] == "in_preparation"
            excluded = [r["code"] for e in good["exclusions"] for r in e["reasons"]]
            assert any(code.startswith("PN_") for code in excluded), good["exclusions"]

            settled = _settle(http, attorney, good["id"])
            assert settled["state"] == "in_review", settled
            rejected = _settle(http, attorney, misfiled["id"])
            assert rejected["state"] == "rejected", rejected
            assert "FOREIGN_PAGE" in {f["code"] for f in rejected["findings"]}

            pdf = _packet(http, staff, good["id"])
            _assert_redacted_stamped_numbered(pdf, good["reference"])
            # the requester cannot reach the staff preview of its own packet
            preview = f"/api/v1/releases/{good['id']}/packets/1/content"
            refused = http.get(preview, headers={"Authorization": f"Bearer {attorney}"})
            assert refused.status_code == 403
    finally:
        gateway.process.terminate()
        gateway.process.wait(timeout=30)
    verified = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert verified.exit_code == 0, verified.output


def _packet(http: httpx.Client, staff: str, release_id: str) -> bytes:
    auth = {"Authorization": f"Bearer {staff}"}
    versions = http.get(f"/api/v1/releases/{release_id}/packets", headers=auth)
    assert versions.status_code == 200, versions.text
    assert [v["version"] for v in versions.json()] == [1]
    content = http.get(f"/api/v1/releases/{release_id}/packets/1/content", headers=auth)
    assert content.status_code == 200, content.text
    assert content.headers["cache-control"] == "no-store"
    return content.content


def _assert_redacted_stamped_numbered(pdf: bytes, reference: str) -> None:
    poppler = pdftotext(pdf)
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    for text in (poppler, "\n".join(pages)):
        flat = " ".join(text.split())
        assert DEMO_PATIENT.ssn not in flat  # SSNs never go to a third party
        assert SECOND_PATIENT.mrn not in flat
        assert "Session focused on coping" not in flat  # the excluded psychotherapy note
        assert "Chief complaint" in flat  # the records themselves are there
        assert reference in flat
        assert "Redisclosure prohibited" in flat
    for page in pages:  # every page stamped and numbered, continuously
        assert reference in page
        assert "Redisclosure prohibited" in page
    prefix = re.escape(bates_prefix(reference))
    numbers = [int(n) for page in pages for n in re.findall(rf"\b{prefix}(\d{{6}})\b", page)]
    assert len(numbers) == len(pages)
    assert numbers == list(range(numbers[0], numbers[0] + len(pages)))
