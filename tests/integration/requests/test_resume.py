"""Taking a held release off hold (``POST /api/v1/queue/{id}/resume``): the check runs again over
what the request stored, with the patient matched by hand or pages left out; refusals change
nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select, update

from gateway.releases.models import Release, ReleaseTransition
from tests.builders.requests import add_record, create_patient, request_body
from tests.fixtures.auth import session_maker
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    codes,
    ledger_verifies,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
UNKNOWN = {"family_name": "Nobody", "given_name": "Known", "birth_date": "1970-01-01"}


def resume_url(release_id: str) -> str:
    return f"/api/v1/queue/{release_id}/resume"


async def row(app: Litestar, release_id: str) -> Release:
    async with session_maker(app)() as session:
        found = await session.get(Release, uuid.UUID(release_id))
        assert found is not None
        return found


async def moves_of(app: Litestar, release_id: str) -> set[tuple[str | None, str]]:
    async with session_maker(app)() as session:
        query = select(ReleaseTransition.from_state, ReleaseTransition.to_state).where(
            ReleaseTransition.release_id == uuid.UUID(release_id)
        )
        return {(a, b) for a, b in (await session.execute(query)).all()}


async def held(attorney: Caller, claim: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await attorney.submit(request_body(claim))).json()
    assert body["state"] == "on_hold", body
    return body


async def resume(specialist: Caller, app: Litestar, release_id: str, **extra: Any) -> Any:
    version = (await row(app, release_id)).row_version
    return await specialist.post(resume_url(release_id), {"row_version": version, **extra})


class TestResume:
    async def test_a_patient_matched_by_hand_sends_the_release_to_assembly(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        release_id = (await held(attorney, UNKNOWN))["id"]
        answer = await resume(specialist, auth_app, release_id, patient_id=str(patient.id))
        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == "assembling"
        stored = await row(auth_app, release_id)
        assert (stored.patient_id, stored.packet_version) == (patient.id, 1)
        assert await moves_of(auth_app, release_id) == {
            (None, "received"),
            ("received", "checking"),
            ("checking", "on_hold"),
            ("on_hold", "checking"),
            ("checking", "assembling"),
        }
        assert (await ledger_verifies(auth_app)).ok

    async def test_the_missing_record_arrived(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        body = await held(attorney, patient)
        assert codes(body["findings"]) == ["NO_RECORDS_IN_SCOPE"]
        await add_record(auth_app, patient)
        answer = await resume(specialist, auth_app, body["id"])
        assert answer.json()["state"] == "assembling"
        view = (await attorney.get(f"{REQUESTS}/{body['id']}")).json()
        assert (view["state"], view["findings"]) == ("in_preparation", [])

    async def test_without_the_missing_piece_it_is_held_again(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        release_id = (await held(attorney, UNKNOWN))["id"]
        before = (await row(auth_app, release_id)).row_version
        answer = await resume(specialist, auth_app, release_id)
        assert answer.json()["state"] == "on_hold"
        after = await row(auth_app, release_id)
        assert after.row_version == before + 2  # on_hold -> checking -> on_hold
        assert codes(after.findings) == ["PATIENT_NOT_MATCHED"]

    async def test_a_release_assembled_before_gets_the_next_packet_version_and_keeps_left_out_pages(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        release_id = (await held(attorney, patient))["id"]  # no records in scope yet
        record = await add_record(auth_app, patient)
        async with session_maker(auth_app)() as session, session.begin():
            # as if assembly had built version 1 and held it for an unidentified page
            await session.execute(
                update(Release).where(Release.id == uuid.UUID(release_id)).values(packet_version=1)
            )
        page = {"source_record_id": str(record.id), "page": 0}
        answer = await resume(specialist, auth_app, release_id, leave_out=[page])
        assert answer.json()["state"] == "assembling", answer.text
        stored = await row(auth_app, release_id)
        assert stored.packet_version == 2
        left_out = [e for e in stored.exclusions if e.get("by") == "reviewer"]
        assert [(e["document_id"], e["pages"]) for e in left_out] == [(str(record.id), [0])]
        assert codes(left_out[0]["reasons"]) == ["PAGES_LEFT_OUT_BY_REVIEWER"]


class TestRefusals:
    async def test_refusals_change_nothing(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient, other = await create_patient(auth_app), await create_patient(auth_app)
        foreign_record = await add_record(auth_app, other)
        release_id = (await held(attorney, patient))["id"]
        before = await row(auth_app, release_id)
        stale = await specialist.post(resume_url(release_id), {"row_version": 99})
        assert (stale.status_code, stale.json()["code"]) == (409, "RELEASE_CHANGED")
        another = await resume(specialist, auth_app, release_id, patient_id=str(other.id))
        assert (another.status_code, another.json()["code"]) == (409, "PATIENT_ALREADY_MATCHED")
        page = {"source_record_id": str(foreign_record.id), "page": 0}
        foreign = await resume(specialist, auth_app, release_id, leave_out=[page])
        assert (foreign.status_code, foreign.json()["code"]) == (422, "PAGE_EXCLUSION_INVALID")
        unknown = await specialist.post(
            resume_url(release_id), {"row_version": before.row_version, "state": "approved"}
        )
        assert unknown.status_code == 400
        after = await row(auth_app, release_id)
        assert (after.state, after.row_version, after.exclusions, after.patient_id) == (
            before.state,
            before.row_version,
            before.exclusions,
            before.patient_id,
        )

    async def test_an_unknown_patient_is_404(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        release_id = (await held(attorney, UNKNOWN))["id"]
        answer = await resume(specialist, auth_app, release_id, patient_id=str(uuid.uuid4()))
        assert answer.status_code == 404

    async def test_only_a_held_release_can_be_resumed(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        body = (await attorney.submit(request_body(patient))).json()
        answer = await resume(specialist, auth_app, body["id"])
        assert (answer.status_code, answer.json()["code"]) == (409, "RELEASE_STATE_CONFLICT")

    async def test_a_requester_cannot_resume(
        self, auth_app: Litestar, attorney: Caller, specialist: Caller
    ) -> None:
        release_id = (await held(attorney, UNKNOWN))["id"]
        answer = await resume(attorney, auth_app, release_id)
        assert answer.status_code == 403
