"""Patients and source records over HTTP (issue 5, part 2): register, read, search by body, upload
a PDF checked by the engine in the PDF pool, list, read and download the original."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from litestar import Litestar
from sqlalchemy import select

from gateway.ledger.models import LedgerEntry
from tests.fixtures.auth import session_maker
from tests.integration.patients.support import (
    FIXTURE_MRN,
    PATIENTS,
    Api,
    fixture_pdf,
    patient_json,
    stored,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


class TestPatients:
    async def test_a_registered_patient_reads_back_with_typed_identifiers(self, staff: Api) -> None:
        patient_id = await staff.patient()
        response = await staff.client.get(f"{PATIENTS}/{patient_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["mrn"], body["family_name"], body["birth_date"]) == (
            FIXTURE_MRN,
            "Okonkwo-Halvorsen",
            "1961-03-14",
        )
        assert [i["kind"] for i in body["identifiers"]] == ["ssn", "phone"]

    async def test_a_second_patient_with_the_same_mrn_is_a_conflict_and_stores_nothing(
        self, staff: Api, records_app: Litestar
    ) -> None:
        await staff.patient()
        before = await stored(records_app)
        again = await staff.post(PATIENTS, patient_json(given_name="Other"))
        assert (again.status_code, again.json()["code"]) == (409, "PATIENT_MRN_TAKEN")
        assert await stored(records_app) == before

    @pytest.mark.parametrize(
        "change",
        [
            {"mrn": ""},
            {"mrn": "MRN 1/2"},
            {"birth_date": "14/03/1961"},
            {"identifiers": [{"kind": "shoe_size", "value": "9"}]},
            {"id": str(uuid.uuid4())},
        ],
    )
    async def test_a_malformed_patient_is_refused_with_a_code(
        self, staff: Api, change: dict[str, object]
    ) -> None:
        response = await staff.post(PATIENTS, patient_json(**change))
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "INVALID_REQUEST"

    async def test_registration_writes_a_ledger_entry_without_phi(
        self, staff: Api, records_app: Litestar
    ) -> None:
        patient_id = await staff.patient()
        async with session_maker(records_app)() as session:
            entry = (await session.scalars(select(LedgerEntry))).one()
        assert (entry.event_type, str(entry.patient_id)) == ("patient.registered", patient_id)
        assert entry.details == {"identifier_count": 2}

    async def test_search_by_mrn_or_by_name_and_birth_date_in_the_body(self, staff: Api) -> None:
        patient_id = await staff.patient()
        await staff.patient("00999999", family_name="Someone-Else")
        by_mrn = await staff.post(f"{PATIENTS}/search", {"mrn": FIXTURE_MRN})
        by_name = await staff.post(
            f"{PATIENTS}/search",
            {"family_name": " okonkwo-HALVORSEN ", "birth_date": "1961-03-14"},
        )
        wrong_birth = await staff.post(
            f"{PATIENTS}/search", {"family_name": "Okonkwo-Halvorsen", "birth_date": "1961-03-15"}
        )
        assert by_mrn.status_code == by_name.status_code == 200, by_mrn.text
        assert [p["id"] for p in by_mrn.json()] == [patient_id]
        assert [p["id"] for p in by_name.json()] == [patient_id]
        assert wrong_birth.json() == []

    @pytest.mark.parametrize(
        "body", [{}, {"family_name": "Okonkwo-Halvorsen"}, {"given_name": "A"}]
    )
    async def test_a_search_without_mrn_or_name_and_birth_date_is_refused(
        self, staff: Api, body: dict[str, str]
    ) -> None:
        response = await staff.post(f"{PATIENTS}/search", body)
        assert (response.status_code, response.json()["code"]) == (422, "PATIENT_SEARCH_TOO_BROAD")

    async def test_an_unknown_patient_is_404(self, staff: Api) -> None:
        response = await staff.client.get(f"{PATIENTS}/{uuid.uuid4()}")
        assert (response.status_code, response.json()["code"]) == (404, "PATIENT_NOT_FOUND")


class TestRecords:
    async def test_an_upload_is_checked_stored_listed_and_downloaded_unchanged(
        self, staff: Api, records_app: Litestar
    ) -> None:
        patient_id = await staff.patient()
        pdf = fixture_pdf()
        before = await stored(records_app)
        response = await staff.upload(
            patient_id, pdf, document_type="lab_result", labels="hiv, genetic"
        )
        assert response.status_code == 201, response.text
        record = response.json()
        assert record["sha256"] == hashlib.sha256(pdf).hexdigest()
        assert (record["size"], record["labels"]) == (len(pdf), ["genetic", "hiv"])
        assert record["page_count"] == record["check"]["page_count"] >= 1
        assert record["check"]["mrn_pages"] == [0, 1]  # the MRN is printed on both pages
        assert record["check"]["textless_pages"] == []
        after = await stored(records_app)
        assert (after.records, after.blobs, after.ledger) == (
            before.records + 1,
            before.blobs + 1,
            before.ledger + 1,
        )
        listed = await staff.client.get(f"{PATIENTS}/{patient_id}/records")
        assert [r["id"] for r in listed.json()] == [record["id"]]
        one = await staff.client.get(f"/api/v1/records/{record['id']}")
        assert one.json() == record
        content = await staff.client.get(f"/api/v1/records/{record['id']}/content")
        assert content.status_code == 200
        assert content.headers["content-type"] == "application/pdf"
        assert content.headers["cache-control"] == "no-store"
        assert content.content == pdf

    async def test_the_check_names_pages_without_the_patients_mrn(self, staff: Api) -> None:
        """Another patient's file uploaded to this patient: no page carries this MRN."""
        patient_id = await staff.patient()
        response = await staff.upload(patient_id, fixture_pdf("libreoffice_writer.pdf"))
        assert response.status_code == 201, response.text
        check = response.json()["check"]
        assert check["mrn_pages"] == []
        assert check["pages_without_mrn"] == list(range(check["page_count"]))

    async def test_an_image_only_scan_is_stored_with_its_textless_pages_named(
        self, staff: Api
    ) -> None:
        patient_id = await staff.patient()
        response = await staff.upload(patient_id, fixture_pdf("image_only_scan.pdf"))
        assert response.status_code == 201, response.text
        check = response.json()["check"]
        assert check["textless_pages"] == list(range(check["page_count"]))

    async def test_the_upload_ledger_entry_holds_ids_and_counts_only(
        self, staff: Api, records_app: Litestar
    ) -> None:
        patient_id = await staff.patient()
        record = (await staff.upload(patient_id, fixture_pdf())).json()
        async with session_maker(records_app)() as session:
            rows = await session.scalars(
                select(LedgerEntry).where(LedgerEntry.event_type == "record.uploaded")
            )
            entry = rows.one()
        assert entry.details == {
            "record_id": record["id"],
            "page_count": record["page_count"],
            "size": record["size"],
            "pages_without_mrn": len(record["check"]["pages_without_mrn"]),
        }

    async def test_records_of_an_unknown_patient_and_unknown_records_are_404(
        self, staff: Api, records_app: Litestar
    ) -> None:
        before = await stored(records_app)
        upload = await staff.upload(str(uuid.uuid4()), fixture_pdf())
        assert (upload.status_code, upload.json()["code"]) == (404, "PATIENT_NOT_FOUND")
        for url in (
            f"{PATIENTS}/{uuid.uuid4()}/records",
            f"/api/v1/records/{uuid.uuid4()}",
            f"/api/v1/records/{uuid.uuid4()}/content",
        ):
            response = await staff.client.get(url)
            assert response.status_code == 404, url
        assert await stored(records_app) == before
