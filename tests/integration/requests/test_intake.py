"""Requests over HTTP: a valid authorization goes to assembly, a defective one is rejected with
its findings, a psychotherapy note is excluded with its reason, an unmatched patient is held."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar

from gateway.releases.models import Release
from tests.builders.requests import (
    FIRM,
    PNG,
    TODAY,
    add_record,
    authorization,
    create_patient,
    request_body,
)
from tests.fixtures.auth import session_maker
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    codes,
    ledger_verifies,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


class TestValidAuthorization:
    async def test_goes_to_assembling_with_no_stopping_finding(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        record = await add_record(auth_app, patient)
        response = await attorney.submit(request_body(patient))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["state"] == "in_preparation"
        assert body["waiting_on"] is None
        assert body["reference"].startswith("R-")
        assert body["patient_matched"] is True
        assert [f for f in body["findings"] if f["severity"] != "warn"] == []
        assert body["due_on"] == (TODAY + timedelta(days=30)).isoformat()
        assert [s["state"] for s in body["timeline"]] == ["received", "in_preparation"]
        staff = (await specialist.get(f"{REQUESTS}/{body['id']}")).json()
        assert staff["state"] == "assembling"
        assert staff["tab"] == "assembling"
        assert [s["state"] for s in staff["timeline"]] == ["received", "checking", "assembling"]
        assert staff["accounting"]["category"] == "authorization"
        assert staff["accounting"]["accounting_exempt"] is True
        assert (await ledger_verifies(auth_app)).ok
        assert record.id  # selected for assembly: see the next test

    async def test_the_selected_documents_are_recorded_for_assembly(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        inside = await add_record(auth_app, patient, service_date=TODAY - timedelta(days=30))
        outside = await add_record(auth_app, patient, service_date=TODAY - timedelta(days=900))
        scope = {"start": (TODAY - timedelta(days=365)).isoformat()}
        response = await attorney.submit(request_body(patient, scope=scope))
        assert response.status_code == 201, response.text
        async with session_maker(auth_app)() as session:
            row = await session.get(Release, uuid.UUID(response.json()["id"]))
        assert row is not None
        assert row.scope["selected"] == [str(inside.id)]
        assert str(outside.id) not in row.scope["selected"]
        assert row.evidence_key
        assert row.evidence_sha256

    async def test_an_image_of_the_signed_form_is_accepted_as_evidence(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        response = await attorney.submit(
            request_body(patient), evidence=PNG, content_type="image/png"
        )
        assert response.status_code == 201, response.text


class TestDefectiveAuthorization:
    async def test_AUTH_01_missing_expiration_is_rejected_and_the_requester_sees_why(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        basis = authorization(expiration_date=None)
        response = await attorney.submit(request_body(patient, basis))
        assert response.status_code == 201, response.text
        assert response.json()["state"] == "rejected"
        seen = (await attorney.get(f"{REQUESTS}/{response.json()['id']}")).json()
        assert seen["state"] == "rejected"
        assert codes(seen["findings"]) == ["AUTH_MISSING_ELEMENT:expiration"]
        finding = seen["findings"][0]
        assert (finding["rule_id"], finding["severity"]) == ("AUTH-01", "block")
        assert finding["message"]
        assert finding["citation"]
        assert seen["timeline"][-1]["reason_code"] == "AUTH_MISSING_ELEMENT:expiration"
        assert (await ledger_verifies(auth_app)).ok

    async def test_AUTH_02_an_expired_authorization_is_rejected(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        basis = authorization(expiration_date=(TODAY - timedelta(days=1)).isoformat())
        body = (await attorney.submit(request_body(patient, basis))).json()
        assert (body["state"], codes(body["findings"])) == ("rejected", ["AUTH_EXPIRED"])

    async def test_AUTH_08_another_recipient_is_blocked(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        other = {"kind": "attorney", "name": "Other Firm (synthetic)", "email": "x@other.example"}
        body = (await attorney.submit(request_body(patient, recipient=other))).json()
        assert body["state"] == "rejected"
        assert "SCOPE_RECIPIENT" in codes(body["findings"])


class TestExclusions:
    async def test_AUTH_06_a_psychotherapy_note_is_excluded_with_its_reason(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        note = await add_record(
            auth_app, patient, document_type="psychotherapy_note", labels=("psychotherapy_note",)
        )
        response = await attorney.submit(request_body(patient))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["state"] == "in_preparation"
        assert [codes(e["reasons"]) for e in body["exclusions"]] == [["PN_EXCLUDED"]]
        assert body["exclusions"][0]["document_id"] is None  # requesters see no record ids
        staff = (await specialist.get(f"{REQUESTS}/{body['id']}")).json()
        assert [e["document_id"] for e in staff["exclusions"]] == [str(note.id)]
        assert staff["exclusions"][0]["reasons"][0]["rule_id"] == "AUTH-06"


class TestPatientMatching:
    async def test_no_match_is_held_and_reveals_nothing(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        claim = {"family_name": "Nobody", "given_name": "Known", "birth_date": "1970-01-01"}
        body = (await attorney.submit(request_body(claim))).json()
        assert body["state"] == "on_hold"
        assert body["patient_matched"] is False
        assert codes(body["findings"]) == ["PATIENT_NOT_MATCHED"]
        assert body["waiting_on"] == "requester"

    async def test_an_mrn_with_a_wrong_birth_date_does_not_match(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        claim = {"mrn": patient.mrn, "birth_date": "1999-09-09"}
        body = (await attorney.submit(request_body(claim))).json()
        assert (body["state"], codes(body["findings"])) == ("on_hold", ["PATIENT_NOT_MATCHED"])

    async def test_two_patients_with_the_same_name_and_birth_date_are_ambiguous(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        for _ in range(2):
            await add_record(auth_app, await create_patient(auth_app, family="Twin", given="Sam"))
        claim = {"family_name": "twin", "given_name": "SAM", "birth_date": "1980-01-02"}
        body = (await attorney.submit(request_body(claim))).json()
        assert (body["state"], codes(body["findings"])) == ("on_hold", ["PATIENT_NOT_MATCHED"])

    async def test_name_and_birth_date_match_one_patient(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app, family="Unique", given="Robin")
        await add_record(auth_app, patient)
        claim = {"family_name": "Unique", "given_name": "Robin", "birth_date": "1980-01-02"}
        body = (await attorney.submit(request_body(claim))).json()
        assert (body["state"], body["patient_matched"]) == ("in_preparation", True)

    async def test_a_patient_with_no_records_in_scope_is_held_for_a_person(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        body = (await attorney.submit(request_body(patient))).json()
        assert (body["state"], codes(body["findings"])) == ("on_hold", ["NO_RECORDS_IN_SCOPE"])
        assert body["waiting_on"] == "hospital"
        assert body["timeline"][-1]["reason_code"] == "NO_RECORDS_IN_SCOPE"


class TestBadInput:
    async def test_an_unknown_basis_field_is_400_with_a_code(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        basis = {**authorization(), "approved": True}
        response = await attorney.submit(request_body(patient, basis))
        assert (response.status_code, response.json()["code"]) == (400, "BASIS_INVALID")

    async def test_an_unknown_basis_type_is_400(self, auth_app: Litestar, attorney: Caller) -> None:
        patient = await create_patient(auth_app)
        response = await attorney.submit(request_body(patient, {"type": "hunch"}))
        assert (response.status_code, response.json()["code"]) == (400, "BASIS_INVALID")

    async def test_a_client_cannot_set_the_state(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        response = await attorney.submit(request_body(patient, state="approved"))
        assert (response.status_code, response.json()["code"]) == (400, "REQUEST_INVALID")

    async def test_an_authorization_needs_its_signed_document(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        response = await attorney.submit(request_body(patient), evidence=None)
        assert (response.status_code, response.json()["code"]) == (400, "EVIDENCE_REQUIRED")

    async def test_evidence_of_another_type_is_refused(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        wrong = await attorney.submit(request_body(patient), content_type="text/html")
        assert (wrong.status_code, wrong.json()["code"]) == (415, "EVIDENCE_WRONG_TYPE")
        fake = await attorney.submit(request_body(patient), evidence=b"MZ\x90\x00 not a pdf")
        assert (fake.status_code, fake.json()["code"]) == (422, "EVIDENCE_NOT_RECOGNISED")

    async def test_no_identifiers_is_400(self, auth_app: Litestar, attorney: Caller) -> None:
        response = await attorney.submit(request_body({"given_name": "Alex"}))
        assert (response.status_code, response.json()["code"]) == (
            400,
            "PATIENT_IDENTIFIERS_MISSING",
        )

    async def test_a_date_range_ending_before_it_starts_is_400(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        scope = {"start": "2026-05-01", "end": "2026-01-01"}
        response = await attorney.submit(request_body(patient, scope=scope))
        assert (response.status_code, response.json()["code"]) == (400, "SCOPE_INVALID")


async def test_text_with_a_nul_character_is_400_and_nothing_is_stored(
    auth_app: Litestar, attorney: Caller
) -> None:
    patient = await create_patient(auth_app)
    response = await attorney.submit(request_body(patient, purpose="claim\x00"))
    assert (response.status_code, response.json()["code"]) == (400, "TEXT_INVALID")
    listed = await attorney.get(REQUESTS)
    assert listed.json() == []


class TestLegalProcess:
    async def test_LEG_02_a_subpoena_without_assurance_or_qpo_is_held(
        self, auth_app: Litestar, attorney: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        basis = {"type": "subpoena", "requesting_party": {"name": FIRM}}
        body = (await attorney.submit(request_body(patient, basis))).json()
        assert body["state"] == "on_hold"
        assert "SUBPOENA_ASSURANCE_MISSING" in codes(body["findings"])

    async def test_AOD_01_a_subpoena_with_a_valid_qpo_is_accounted_for_and_sensitive(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        qpo = {"prohibits_use_outside_litigation": True, "requires_return_or_destruction": True}
        basis = {"type": "subpoena", "requesting_party": {"name": FIRM}, "qpo": qpo}
        body = (await attorney.submit(request_body(patient, basis))).json()
        assert (body["state"], codes(body["findings"])) == (
            "in_preparation",
            ["SUBPOENA_MN_REVIEW"],
        )
        staff = (await specialist.get(f"{REQUESTS}/{body['id']}")).json()
        assert staff["sensitive"] is True
        assert staff["accounting"]["category"] == "legal_process"
        assert staff["accounting"]["accounting_exempt"] is False
        assert staff["accounting"]["reviewer_note_required"] is True


@pytest.mark.parametrize(
    "parts",
    [
        {"request": (None, b""), "evidence": (None, b"\x89PNG\r\n\x1a\n")},
        {"request": (None, b"{}")},
        {"request": (None, b"{}"), "evidence": (None, b"plain text, not a file")},
        {"evidence": ("a.pdf", b"%PDF-1.7", "application/pdf")},
        {"request": ("request.json", b"{}", "application/json")},
        [("request", (None, b"{}")), ("request", (None, b"{}"))],
        {"request": (None, b""), "evidence": ("a.pdf", b"", "application/pdf")},
    ],
)
async def test_malformed_multipart_is_a_4xx(
    auth_app: Litestar, attorney: Caller, parts: Any
) -> None:
    response = await attorney.client.post(REQUESTS, files=parts, headers=attorney.headers)
    assert 400 <= response.status_code < 500, response.text
