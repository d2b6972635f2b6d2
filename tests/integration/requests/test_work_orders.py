"""Vendor work orders: the vendor's BAA is checked (BA-01); an expired one blocks."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar

from kernel.clock import FixedClock
from tests.builders.requests import TODAY, add_record, create_patient
from tests.builders.vendors import create_baa, create_vendor, vendor_service
from tests.fixtures.auth import session_maker
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    codes,
    ledger_verifies,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


async def vendor_with_baa(app: Litestar, clock: FixedClock, **terms: Any) -> uuid.UUID:
    async with session_maker(app)() as session, session.begin():
        service = vendor_service(session, clock)
        vendor = await create_vendor(service)
        if terms.pop("baa", True):
            await create_baa(service, vendor, **terms)
        return vendor.id


def order(vendor_id: uuid.UUID, patient_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body = {
        "vendor_id": str(vendor_id),
        "function": "copy",
        "patient_id": str(patient_id),
        "purpose": "copy of the chart for the hospital's own use",
    }
    return {**body, **overrides}


class TestBusinessAssociateAgreement:
    async def test_BA_01_an_active_baa_lets_the_work_order_go_to_assembly(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        vendor_id = await vendor_with_baa(auth_app, clock)
        response = await specialist.work_order(order(vendor_id, patient.id))
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["kind"], body["basis_type"], body["state"]) == (
            "work_order",
            "none",
            "assembling",
        )
        assert body["recipient"]["kind"] == "copy"
        assert [f for f in body["findings"] if f["severity"] != "warn"] == []

    async def test_BA_01_an_expired_baa_blocks_with_BAA_EXPIRED(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        vendor_id = await vendor_with_baa(
            auth_app,
            clock,
            effective_on=TODAY - timedelta(days=400),
            ends_on=TODAY - timedelta(days=1),
        )
        response = await specialist.work_order(order(vendor_id, patient.id))
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["state"], codes(body["findings"])) == ("rejected", ["BAA_EXPIRED"])
        assert body["findings"][0]["rule_id"] == "BA-01"
        seen = (await specialist.get(f"{REQUESTS}/{body['id']}")).json()
        assert seen["timeline"][-1]["reason_code"] == "BAA_EXPIRED"
        assert (await ledger_verifies(auth_app)).ok

    async def test_BA_01_a_vendor_without_a_baa_is_blocked(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        vendor_id = await vendor_with_baa(auth_app, clock, baa=False)
        body = (await specialist.work_order(order(vendor_id, patient.id))).json()
        assert (body["state"], codes(body["findings"])) == ("rejected", ["BAA_MISSING"])

    async def test_BA_01_a_function_the_baa_does_not_cover_is_blocked(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        await add_record(auth_app, patient)
        vendor_id = await vendor_with_baa(auth_app, clock)
        body = (
            await specialist.work_order(order(vendor_id, patient.id, function="transcription"))
        ).json()
        assert body["state"] == "rejected"
        assert codes(body["findings"]) == ["BAA_FUNCTION_NOT_COVERED"]


class TestBadWorkOrders:
    async def test_an_unknown_patient_is_404(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        vendor_id = await vendor_with_baa(auth_app, clock)
        response = await specialist.work_order(order(vendor_id, uuid.uuid4()))
        assert (response.status_code, response.json()["code"]) == (404, "PATIENT_NOT_FOUND")

    async def test_an_unknown_vendor_is_404(self, auth_app: Litestar, specialist: Caller) -> None:
        patient = await create_patient(auth_app)
        response = await specialist.work_order(order(uuid.uuid4(), patient.id))
        assert (response.status_code, response.json()["code"]) == (404, "VENDOR_NOT_FOUND")

    async def test_a_client_cannot_set_the_state_or_recipient(
        self, auth_app: Litestar, clock: FixedClock, specialist: Caller
    ) -> None:
        patient = await create_patient(auth_app)
        vendor_id = await vendor_with_baa(auth_app, clock)
        for extra in ({"state": "approved"}, {"recipient": {"name": "x"}}):
            response = await specialist.work_order(order(vendor_id, patient.id, **extra))
            assert response.status_code == 400, extra
