"""R12 for intake: canary PHI in a request (patient, recipient, basis, purpose, key) reaches no
log line, and errors echo none of it."""

from __future__ import annotations

import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.builders.requests import add_record, authorization, create_patient, request_body
from tests.fixtures.logs import CapturedLogs
from tests.integration.requests.support import Client, caller

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
CANARY = "Zebulon-Quatermaine-1931"


async def test_R12_no_canary_from_a_request_reaches_the_logs(
    auth_app: Litestar, clock: FixedClock, http: Client, captured_logs: CapturedLogs
) -> None:
    attorney = await caller(auth_app, clock, http, Role.ATTORNEY)
    patient = await create_patient(auth_app, family=CANARY, mrn="MRNCANARY1")
    await add_record(auth_app, patient)
    basis = authorization(description=f"records of {CANARY}", expiration_date=None)
    body = request_body(patient, basis, purpose=f"claim for {CANARY}")
    body["patient"] = {"mrn": patient.mrn, "family_name": CANARY}
    accepted = await attorney.submit(body, key=f"key-{CANARY}")
    assert accepted.status_code == 201, accepted.text
    conflict = await attorney.submit({**body, "purpose": CANARY * 2}, key=f"key-{CANARY}")
    assert conflict.status_code == 422
    bad = await attorney.submit({**body, "purpose": 7})
    assert bad.status_code == 400
    for response in (conflict, bad):
        assert CANARY not in response.text
    assert captured_logs.lines  # the canonical request lines were captured
    assert CANARY not in captured_logs.text
    assert "MRNCANARY1" not in captured_logs.text
