"""`make run`'s set-up: `roi demo` loads synthetic accounts once, prints their credentials once on
standard output, and the printed admin credentials sign in to a live gateway with a TOTP code. It
also registers two patients whose record PDFs went through the engine's check in the PDF pool."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from contracts import Decision, VendorFunction
from gateway.auth import totp
from gateway.auth.models import Organisation, User
from gateway.cli import main
from gateway.db import build_engine, build_session_maker
from gateway.demo.records import DEMO_PATIENT, SECOND_PATIENT
from gateway.ledger.models import LedgerEntry
from gateway.releases.models import Patient, SourceRecord
from gateway.settings import Settings
from tests.fixtures.app import LiveGateway, settings_env
from vendors import may_receive
from vendors.models import Vendor

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _run_demo(settings: Settings) -> str:
    result = CliRunner().invoke(main, ["demo", "--if-empty"], env=settings_env(settings))
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_once_and_its_admin_signs_in_with_totp(
    fresh_settings: Settings, live_gateway: LiveGateway
) -> None:
    first = _run_demo(fresh_settings)
    assert "already loaded" in _run_demo(fresh_settings)
    admin = re.search(
        r"- admin: (\S+)\n\s+one-time password: (\S+)\n\s+TOTP provisioning URI: (\S+)", first
    )
    assert admin is not None
    email, password, uri = admin.groups()
    secret = uri.split("secret=")[1].split("&")[0]
    body = {
        "email": email,
        "password": password,
        "code": totp.current_code(secret, datetime.now(UTC)),
    }
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        signed = client.post("/api/v1/auth/login", json=body)
    assert signed.status_code == 200, signed.text
    assert signed.json()["must_change_password"] is True
    assert "specialist" in first
    assert "attorney" in first
    for value in (password, secret):
        assert value not in live_gateway.text()


async def _copy_decision(settings: Settings) -> Decision:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            vendor = (await session.scalars(select(Vendor))).one()
            today = datetime.now(UTC).date()
            return await may_receive(session, vendor.id, VendorFunction.COPY, today)
    finally:
        await engine.dispose()


def test_demo_vendor_has_an_active_baa_for_copying(fresh_settings: Settings) -> None:
    _run_demo(fresh_settings)
    decision = asyncio.run(_copy_decision(fresh_settings))
    assert decision.allowed, decision.findings


async def _demo_rows(settings: Settings) -> tuple[list[Patient], list[SourceRecord], list[str]]:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            patients = list((await session.scalars(select(Patient).order_by(Patient.mrn))).all())
            records = list((await session.scalars(select(SourceRecord))).all())
            events = list((await session.scalars(select(LedgerEntry.event_type))).all())
            return patients, records, events
    finally:
        await engine.dispose()


def test_demo_patients_have_checked_records_and_blobs(fresh_settings: Settings) -> None:
    _run_demo(fresh_settings)
    patients, records, events = asyncio.run(_demo_rows(fresh_settings))
    assert [p.mrn for p in patients] == [DEMO_PATIENT.mrn, SECOND_PATIENT.mrn]
    by_patient = {p.id: [r for r in records if r.patient_id == p.id] for p in patients}
    assert [len(rs) for rs in by_patient.values()] == [4, 3]
    notes = [r for r in records if r.document_type == "psychotherapy_note"]
    assert len(notes) == 2
    assert all(r.labels == ["psychotherapy_note"] for r in notes)
    misfiled = [r for r in records if r.check["pages_without_mrn"]]
    assert len(misfiled) == 1
    assert misfiled[0].patient_id == patients[0].id
    assert (misfiled[0].check["pages_without_mrn"], misfiled[0].check["mrn_pages"]) == ([1], [0])
    assert all(r.page_count == 2 and r.check["textless_pages"] == [] for r in records)
    root = fresh_settings.data_dir / "blobs"
    assert all((root / r.blob_key).is_file() for r in records)
    assert events.count("patient.registered") == 2
    assert events.count("record.uploaded") == 7


async def _requester(settings: Settings) -> tuple[str, str]:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            row = (
                await session.execute(
                    select(User.role, Organisation.name).join(
                        Organisation, Organisation.id == User.organisation_id
                    )
                )
            ).one()
            return str(row[0]), str(row[1])
    finally:
        await engine.dispose()


def test_demo_has_a_requester_organisation_with_a_user(fresh_settings: Settings) -> None:
    _run_demo(fresh_settings)
    role, organisation = asyncio.run(_requester(fresh_settings))
    assert role == "attorney"
    assert organisation
