"""Due dates (ACC-01): 30 days for the right of access, one extension of 30 days made on or
before the due date with reasons (a ledger entry); configurable per basis type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from gateway import ledger
from gateway.auth.rules import Role
from gateway.releases.models import Patient
from gateway.settings import RequestsSettings, Settings
from kernel.clock import FixedClock
from tests.builders.requests import TODAY, add_record, create_patient, request_body
from tests.fixtures.auth import BASE_URL, build_app, session_maker
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    Client,
    caller,
    ledger_verifies,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


def access_request(patient: Patient) -> dict[str, Any]:
    """An access request staff enter for the patient (no evidence needed)."""
    recipient = {"kind": "patient", "name": f"{patient.given_name} {patient.family_name}"}
    basis = {"type": "access_request", "requested_by": "patient"}
    return request_body(patient, basis, recipient=recipient, purpose="patient's own copy")


async def open_access_request(app: Litestar, staff: Caller) -> dict[str, Any]:
    patient = await create_patient(app)
    await add_record(app, patient)
    response = await staff.submit(access_request(patient), evidence=None)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestRightOfAccess:
    async def test_ACC_01_due_thirty_days_after_receipt(
        self, auth_app: Litestar, specialist: Caller
    ) -> None:
        body = await open_access_request(auth_app, specialist)
        assert body["state"] == "assembling"
        assert body["due_on"] == (TODAY + timedelta(days=30)).isoformat()
        assert body["accounting"]["category"] == "to_individual"

    async def test_ACC_01_one_extension_with_reasons_moves_the_date_thirty_days(
        self, auth_app: Litestar, specialist: Caller
    ) -> None:
        body = await open_access_request(auth_app, specialist)
        url = f"{REQUESTS}/{body['id']}/extension"
        reasons = {"reasons": "records are held off-site (synthetic)"}
        extended = await specialist.post(url, reasons)
        assert extended.status_code == 201, extended.text
        seen = extended.json()
        assert seen["due_on"] == (TODAY + timedelta(days=60)).isoformat()
        assert seen["extended"] is True
        assert seen["extension"]["previous_due_on"] == (TODAY + timedelta(days=30)).isoformat()
        assert seen["extension"]["reasons"] == reasons["reasons"]
        again = await specialist.post(url, reasons)
        assert (again.status_code, again.json()["code"]) == (409, "ACC_EXTENSION_REPEATED")
        assert (await specialist.get(f"{REQUESTS}/{body['id']}")).json()["due_on"] == seen["due_on"]
        async with session_maker(auth_app)() as session:
            events = await session.scalars(
                select(ledger.LedgerEntry.event_type).where(
                    ledger.LedgerEntry.event_type == "release.extended"
                )
            )
            assert list(events) == ["release.extended"]
        assert (await ledger_verifies(auth_app)).ok

    async def test_ACC_01_an_extension_after_the_due_date_is_refused(
        self, auth_app: Litestar, clock: FixedClock, http: Client
    ) -> None:
        staff = await caller(auth_app, clock, http, Role.SPECIALIST)
        body = await open_access_request(auth_app, staff)
        clock.advance(timedelta(days=31))
        late = await staff.post(f"{REQUESTS}/{body['id']}/extension", {"reasons": "late"})
        assert (late.status_code, late.json()["code"]) == (409, "ACC_EXTENSION_LATE")

    async def test_an_extension_needs_reasons(self, auth_app: Litestar, specialist: Caller) -> None:
        body = await open_access_request(auth_app, specialist)
        url = f"{REQUESTS}/{body['id']}/extension"
        for empty in ({"reasons": ""}, {}):
            response = await specialist.post(url, empty)
            assert response.status_code == 400, empty
        blank = await specialist.post(url, {"reasons": "   "})
        assert (blank.status_code, blank.json()["code"]) == (409, "ACC_EXTENSION_REASON_MISSING")

    async def test_a_rejected_request_cannot_be_extended(
        self, auth_app: Litestar, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        recipient = {"kind": "attorney", "name": "Some Firm (synthetic)"}
        basis = {"type": "access_request"}
        body = (
            await specialist.submit(
                request_body(patient, basis, recipient=recipient), evidence=None
            )
        ).json()
        assert body["state"] == "rejected"  # an access request goes to the individual
        response = await specialist.post(f"{REQUESTS}/{body['id']}/extension", {"reasons": "x"})
        assert (response.status_code, response.json()["code"]) == (409, "RELEASE_CLOSED")


async def test_due_days_are_configurable_per_basis_type(
    fresh_settings: Settings, clock: FixedClock
) -> None:
    days = {**RequestsSettings().due_days, "authorization": 10}
    settings = fresh_settings.model_copy(update={"requests": RequestsSettings(due_days=days)})
    app = build_app(settings, clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        attorney = await caller(app, clock, client, Role.ATTORNEY)
        patient = await create_patient(app)
        await add_record(app, patient)
        body = (await attorney.submit(request_body(patient))).json()
        assert body["due_on"] == (TODAY + timedelta(days=10)).isoformat()
    await app.state.db_engine.dispose()
