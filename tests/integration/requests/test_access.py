"""Authorization matrix (R25): every role and anonymous against every requests route, on
another organisation's release ids; requesters see their own organisation's requests only.
0 unexpected 2xx."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.builders.requests import add_record, create_patient, request_body
from tests.integration.requests.support import (
    REQUESTS,
    Caller,
    Client,
    caller,
    ledger_verifies,
)
from tests.integration.requests.test_work_orders import order, vendor_with_baa

pytestmark = [pytest.mark.db, pytest.mark.timeout(240)]
STAFF = {"admin", "specialist"}
ROUTES = ("submit", "work_order", "list", "get_request", "get_work_order", "extend")


def expected(who: str, route: str) -> set[int]:
    """The statuses the roles table allows, for a caller outside the owner's organisation."""
    if who == "anonymous":
        return {401}
    staff = who in STAFF
    table = {
        "submit": {201},
        "work_order": {201} if staff else {403},
        "list": {200},
        "get_request": {200} if staff else {404},
        "get_work_order": {200} if staff else {404},
        # the first staff member extends; the second finds it extended already
        "extend": {201, 409} if staff else {403},
    }
    return table[route]


async def call(
    who: Caller, route: str, ids: dict[str, str], bodies: dict[str, Any]
) -> httpx.Response:
    if route == "submit":
        return await who.submit(bodies["request"])
    if route == "work_order":
        return await who.work_order(bodies["work_order"])
    if route == "list":
        return await who.get(REQUESTS)
    if route == "get_request":
        return await who.get(f"{REQUESTS}/{ids['request']}")
    if route == "get_work_order":
        return await who.get(f"{REQUESTS}/{ids['work_order']}")
    return await who.post(f"{REQUESTS}/{ids['request']}/extension", {"reasons": "volume"})


async def test_R25_every_role_against_every_route_and_another_organisations_ids(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    owner = await caller(auth_app, clock, http, Role.ATTORNEY)
    staff = await caller(auth_app, clock, http, Role.SPECIALIST)
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    vendor_id = await vendor_with_baa(auth_app, clock)
    bodies = {"request": request_body(patient), "work_order": order(vendor_id, patient.id)}
    mine = (await owner.submit(bodies["request"])).json()
    ordered = (await staff.work_order(bodies["work_order"])).json()
    ids = {"request": mine["id"], "work_order": ordered["id"]}
    callers = {
        "admin": await caller(auth_app, clock, http, Role.ADMIN),
        "specialist": await caller(auth_app, clock, http, Role.SPECIALIST),
        "attorney": await caller(auth_app, clock, http, Role.ATTORNEY),
        "payer": await caller(auth_app, clock, http, Role.PAYER),
        "anonymous": Caller(http, None),
    }
    unexpected_2xx, mismatches = [], []
    for who, client in callers.items():
        for route in ROUTES:
            response = await call(client, route, ids, bodies)
            status, allowed = response.status_code, expected(who, route)
            if status not in allowed:
                mismatches.append((who, route, status))
                if 200 <= status < 300:
                    unexpected_2xx.append((who, route, status))
            if route == "list" and status == 200 and who not in STAFF:
                listed = {r["id"] for r in response.json()}
                assert not listed & set(ids.values()), who  # another organisation's requests
    assert unexpected_2xx == []
    assert mismatches == []
    assert (await ledger_verifies(auth_app)).ok


async def test_the_owner_reads_its_own_request_but_cannot_extend_it(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    owner = await caller(auth_app, clock, http, Role.PAYER)
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    mine = (await owner.submit(request_body(patient))).json()
    seen = await owner.get(f"{REQUESTS}/{mine['id']}")
    assert seen.status_code == 200
    assert "accounting" not in seen.json() or seen.json()["accounting"] is None
    assert all("actor" not in step or step["actor"] is None for step in seen.json()["timeline"])
    listed = await owner.get(REQUESTS)
    assert [r["id"] for r in listed.json()] == [mine["id"]]
    refused = await owner.post(f"{REQUESTS}/{mine['id']}/extension", {"reasons": "x"})
    assert refused.status_code == 403


async def test_an_unknown_id_and_another_organisations_id_look_alike(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    owner = await caller(auth_app, clock, http, Role.ATTORNEY)
    other = await caller(auth_app, clock, http, Role.ATTORNEY)
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    mine = (await owner.submit(request_body(patient))).json()
    theirs = await other.get(f"{REQUESTS}/{mine['id']}")
    missing = await other.get(f"{REQUESTS}/{uuid.uuid4()}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


async def test_list_filters_by_the_state_each_side_sees(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    owner = await caller(auth_app, clock, http, Role.ATTORNEY)
    staff = await caller(auth_app, clock, http, Role.SPECIALIST)
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    mine = (await owner.submit(request_body(patient))).json()
    requester_view = await owner.get(REQUESTS, state="in_preparation")
    assert [r["id"] for r in requester_view.json()] == [mine["id"]]
    assert (await owner.get(REQUESTS, state="rejected")).json() == []
    staff_view = await staff.get(REQUESTS, state="assembling")
    assert mine["id"] in [r["id"] for r in staff_view.json()]
    bad = await staff.get(REQUESTS, state="in_preparation")
    assert (bad.status_code, bad.json()["code"]) == (400, "STATE_FILTER_INVALID")
