"""A requester answers a hold that waits on them (``POST /api/v1/requests/{id}/answer``):
corrected identifiers or a corrected basis with its document; the request is checked again.
Refusals store nothing and change nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.models import Release
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.builders.requests import FIRM, PDF, add_record, create_patient, request_body
from tests.fixtures.auth import session_maker
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    Client,
    caller,
    codes,
    evidence_files,
    ledger_verifies,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
UNKNOWN = {"family_name": "Nobody", "given_name": "Known", "birth_date": "1970-01-01"}
SUBPOENA = {"type": "subpoena", "requesting_party": {"name": FIRM}}
QPO = {"prohibits_use_outside_litigation": True, "requires_return_or_destruction": True}


async def answer(
    who: Caller, release_id: str, body: dict[str, Any], evidence: bytes | None = None
) -> httpx.Response:
    files: dict[str, Any] = {"answer": (None, json.dumps(body).encode(), "application/json")}
    if evidence is not None:
        files["evidence"] = ("signed.pdf", evidence, "application/pdf")
    return await who.client.post(
        f"{REQUESTS}/{release_id}/answer", files=files, headers=who.headers
    )


async def stored(app: Litestar, release_id: str) -> Release:
    async with session_maker(app)() as session:
        found = await session.get(Release, uuid.UUID(release_id))
        assert found is not None
        return found


async def answered_entries(app: Litestar, release_id: str) -> int:
    async with session_maker(app)() as session:
        query = select(LedgerEntry).where(
            LedgerEntry.release_id == uuid.UUID(release_id),
            LedgerEntry.event_type == "release.answered",
        )
        return len((await session.scalars(query)).all())


async def test_corrected_identifiers_match_the_patient_and_the_request_goes_on(
    auth_app: Litestar, clock: FixedClock, attorney: Caller
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    held = (await attorney.submit(request_body(UNKNOWN))).json()
    assert held["waiting_on"] == "requester"
    clock.advance(timedelta(hours=2))  # the timeline orders by time
    got = await answer(attorney, held["id"], {"patient": {"mrn": patient.mrn}})
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["state"], body["patient_matched"], body["findings"]) == (
        "in_preparation",
        True,
        [],
    )
    steps = [s["state"] for s in body["timeline"]]
    assert "on_hold" in steps
    assert steps[-2:] == ["received", "in_preparation"]  # checked again, then assembling
    assert await answered_entries(auth_app, held["id"]) == 1
    assert (await ledger_verifies(auth_app)).ok


async def test_a_subpoena_gets_its_qpo_and_its_document(
    auth_app: Litestar, attorney: Caller, fresh_settings: Settings
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    held = (await attorney.submit(request_body(patient, SUBPOENA))).json()
    assert "SUBPOENA_ASSURANCE_MISSING" in codes(held["findings"])
    before = await stored(auth_app, held["id"])
    got = await answer(attorney, held["id"], {"basis": {**SUBPOENA, "qpo": QPO}}, PDF)
    assert got.status_code == 200, got.text
    assert (got.json()["state"], codes(got.json()["findings"])) == (
        "in_preparation",
        ["SUBPOENA_MN_REVIEW"],
    )
    after = await stored(auth_app, held["id"])
    assert after.basis["qpo"] == QPO
    assert after.evidence_key != before.evidence_key
    assert len(evidence_files(fresh_settings)) == 2  # the first document is kept too


async def test_refusals_store_and_change_nothing(
    auth_app: Litestar, clock: FixedClock, http: Client, attorney: Caller, fresh_settings: Settings
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    held = (await attorney.submit(request_body(patient, SUBPOENA))).json()
    before, files = await stored(auth_app, held["id"]), len(evidence_files(fresh_settings))
    empty = await answer(attorney, held["id"], {})
    assert (empty.status_code, empty.json()["code"]) == (400, "ANSWER_EMPTY")
    no_document = await answer(attorney, held["id"], {"basis": {**SUBPOENA, "qpo": QPO}})
    assert (no_document.status_code, no_document.json()["code"]) == (400, "EVIDENCE_REQUIRED")
    unknown = await answer(attorney, held["id"], {"state": "approved"})
    assert unknown.status_code == 400
    no_identifiers = await answer(
        attorney, held["id"], {"patient": {}, "basis": {**SUBPOENA, "qpo": QPO}}, PDF
    )
    assert (no_identifiers.status_code, no_identifiers.json()["code"]) == (
        400,
        "PATIENT_IDENTIFIERS_MISSING",
    )
    other = await caller(auth_app, clock, http, Role.ATTORNEY)  # another organisation
    foreign = await answer(other, held["id"], {"patient": {"mrn": patient.mrn}})
    assert foreign.status_code == 404
    after = await stored(auth_app, held["id"])
    assert (after.row_version, after.basis, after.evidence_key) == (
        before.row_version,
        before.basis,
        before.evidence_key,
    )
    assert len(evidence_files(fresh_settings)) == files  # the refused upload was deleted
    assert await answered_entries(auth_app, held["id"]) == 0


async def test_a_hold_that_waits_on_the_hospital_is_not_the_requesters_to_answer(
    auth_app: Litestar, attorney: Caller
) -> None:
    patient = await create_patient(auth_app)
    held = (await attorney.submit(request_body(patient))).json()
    assert held["waiting_on"] == "hospital"
    got = await answer(attorney, held["id"], {"patient": {"mrn": patient.mrn}})
    assert (got.status_code, got.json()["code"]) == (409, "ANSWER_NOT_EXPECTED")
