"""Idempotency-Key on submissions (R44): the same key and body replay the first response; the
same key with another body is refused; concurrent duplicates create one release; keys are per
principal and kept for 24 hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.builders.requests import add_record, create_patient, request_body
from tests.integration.requests.support import (
    Caller,
    Client,
    caller,
    evidence_files,
    ledger_verifies,
    release_count,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


async def test_R44_the_same_key_and_body_replay_the_first_response(
    auth_app: Litestar, attorney: Caller, fresh_settings: Settings
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    first = await attorney.submit(request_body(patient), key="order-1")
    again = await attorney.submit(request_body(patient), key="order-1")
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await release_count(auth_app) == 1
    assert len(evidence_files(fresh_settings)) == 1  # the retry's upload was not kept


async def test_R44_the_same_key_with_another_body_is_refused(
    auth_app: Litestar, attorney: Caller, fresh_settings: Settings
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    first = await attorney.submit(request_body(patient), key="order-2")
    assert first.status_code == 201, first.text
    other = await attorney.submit(request_body(patient, purpose="another purpose"), key="order-2")
    assert (other.status_code, other.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    changed_evidence = await attorney.submit(
        request_body(patient), key="order-2", evidence=b"%PDF-2"
    )
    assert changed_evidence.status_code == 422
    assert await release_count(auth_app) == 1
    assert len(evidence_files(fresh_settings)) == 1


async def test_R44_keys_are_per_principal(
    auth_app: Litestar, clock: FixedClock, http: Client, attorney: Caller
) -> None:
    other = await caller(auth_app, clock, http, Role.ATTORNEY)
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    mine = await attorney.submit(request_body(patient), key="shared-key")
    theirs = await other.submit(request_body(patient), key="shared-key")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert await release_count(auth_app) == 2


async def test_R44_a_key_is_free_again_after_24_hours(
    auth_app: Litestar, clock: FixedClock, attorney: Caller
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    first = await attorney.submit(request_body(patient), key="daily")
    clock.advance(timedelta(hours=24, seconds=1))
    later = await attorney.submit(request_body(patient, purpose="next day"), key="daily")
    assert later.status_code == 201, later.text
    assert later.json()["id"] != first.json()["id"]
    assert await release_count(auth_app) == 2


async def test_R44_concurrent_duplicates_create_one_release(
    auth_app: Litestar, attorney: Caller, fresh_settings: Settings
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    responses = await asyncio.gather(
        *(attorney.submit(request_body(patient), key="burst") for _ in range(6))
    )
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 5
    assert await release_count(auth_app) == 1
    assert len(evidence_files(fresh_settings)) == 1
    assert (await ledger_verifies(auth_app)).ok


async def test_a_malformed_key_is_400(auth_app: Litestar, attorney: Caller) -> None:
    patient = await create_patient(auth_app)
    response = await attorney.submit(request_body(patient), key="has space")
    assert (response.status_code, response.json()["code"]) == (400, "IDEMPOTENCY_KEY_INVALID")
    assert await release_count(auth_app) == 0
