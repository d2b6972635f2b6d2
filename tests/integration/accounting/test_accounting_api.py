"""The accounting of disclosures over HTTP (AOD-01..03; 45 CFR 164.528): JSON fields, the exempt
flag, the window rule, and unknown patients. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import make_user, signed_in
from tests.integration.accounting import seed

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
TODAY = date(2026, 11, 27)  # tests.fixtures.auth.START


def url(patient_id: uuid.UUID, suffix: str = "") -> str:
    return f"/api/v1/patients/{patient_id}/accounting{suffix}"


async def test_AOD_01_a_subpoena_disclosure_is_listed_with_every_field(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    release = await seed.release(auth_app, patient.id)
    entry = seed.disclosure_of(patient.id, date(2026, 3, 4), release_id=release.id, **seed.SUBPOENA)
    [seq] = await seed.write(auth_app, entry)
    await seed.write(auth_app, seed.disclosure_of(uuid.uuid4(), date(2026, 3, 4)))  # another's

    response = await http.get(url(patient.id), headers=staff)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["patient_id"], body["until"], body["include_exempt"]) == (
        str(patient.id),
        TODAY.isoformat(),
        False,
    )
    [line] = body["disclosures"]
    assert line == {
        "seq": seq,
        "entry_id": line["entry_id"],
        "release_id": str(release.id),
        "disclosed_on": "2026-03-04",
        **seed.SUBPOENA,
        "address_unknown": False,
        "accounting_exempt": False,
    }
    uuid.UUID(line["entry_id"])
    assert response.headers["cache-control"] == "no-store"


async def test_AOD_01_an_unknown_address_is_said_to_be_unknown(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    fields = {**seed.SUBPOENA, "recipient_address": None, "address_unknown": True}
    await seed.write(auth_app, seed.disclosure_of(patient.id, date(2026, 5, 1), **fields))
    [line] = (await http.get(url(patient.id), headers=staff)).json()["disclosures"]
    assert (line["recipient_address"], line["address_unknown"]) == (None, True)


async def test_AOD_02_an_authorized_disclosure_is_left_out_unless_asked_for_then_flagged(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    await seed.write(
        auth_app,
        seed.disclosure_of(patient.id, date(2026, 2, 1), **seed.AUTHORIZED),
        seed.disclosure_of(patient.id, date(2026, 3, 1), **seed.SUBPOENA),
    )
    default = (await http.get(url(patient.id), headers=staff)).json()["disclosures"]
    assert [line["purpose"] for line in default] == [seed.SUBPOENA["purpose"]]

    response = await http.get(url(patient.id), params={"include_exempt": "true"}, headers=staff)
    every = response.json()["disclosures"]
    assert [(line["disclosed_on"], line["accounting_exempt"]) for line in every] == [
        ("2026-02-01", True),
        ("2026-03-01", False),
    ]
    assert every[0]["recipient_name"] == seed.AUTHORIZED["recipient_name"]


async def test_AOD_03_the_default_window_is_the_six_years_before_today(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    days = [date(2020, 11, 26), date(2020, 11, 27), date(2023, 1, 9), TODAY]
    await seed.write(auth_app, *(seed.disclosure_of(patient.id, day) for day in days))
    body = (await http.get(url(patient.id), headers=staff)).json()
    assert (body["since"], body["until"]) == ("2020-11-27", "2026-11-27")
    listed = [line["disclosed_on"] for line in body["disclosures"]]
    assert listed == ["2020-11-27", "2023-01-09", "2026-11-27"]

    window = {"from": "2021-01-01", "to": "2023-01-09"}
    narrow = (await http.get(url(patient.id), params=window, headers=staff)).json()
    assert [line["disclosed_on"] for line in narrow["disclosures"]] == ["2023-01-09"]


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ({"from": "2020-11-26", "to": "2026-11-27"}, "ACCOUNTING_WINDOW_TOO_LONG"),
        ({"from": "2010-01-01", "to": "2016-01-02"}, "ACCOUNTING_WINDOW_TOO_LONG"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "ACCOUNTING_WINDOW_REVERSED"),
        ({"from": "2026-11-28"}, "ACCOUNTING_WINDOW_REVERSED"),
        ({"to": "2026-11-28"}, "ACCOUNTING_WINDOW_IN_FUTURE"),
        ({"from": "2026-02-30"}, "INVALID_REQUEST"),
        ({"to": "yesterday"}, "INVALID_REQUEST"),
        ({"include_exempt": "perhaps"}, "INVALID_REQUEST"),
    ],
)
async def test_AOD_03_a_bad_window_is_refused_with_a_reason_code(
    http: Client,
    auth_app: Litestar,
    staff: dict[str, str],
    window: dict[str, str],
    code: str,
) -> None:
    patient = await seed.patient(auth_app)
    for suffix in ("", ".pdf"):
        response = await http.get(url(patient.id, suffix), params=window, headers=staff)
        assert response.status_code == 400, (suffix, response.text)
        assert response.json()["code"] == code
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_AOD_03_exactly_six_years_is_accepted(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    await seed.write(auth_app, seed.disclosure_of(patient.id, date(2010, 1, 1)))
    window = {"from": "2010-01-01", "to": "2016-01-01"}
    response = await http.get(url(patient.id), params=window, headers=staff)
    assert response.status_code == 200, response.text
    assert [line["disclosed_on"] for line in response.json()["disclosures"]] == ["2010-01-01"]


async def test_an_unknown_patient_is_404_on_both_forms(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    missing = uuid.uuid4()
    await seed.write(auth_app, seed.disclosure_of(missing, date(2026, 1, 5)))  # ledger only
    for suffix in ("", ".pdf"):
        response = await http.get(url(missing, suffix), headers=staff)
        assert response.status_code == 404
        assert response.json()["code"] == "PATIENT_NOT_FOUND"
    malformed = await http.get("/api/v1/patients/not-a-uuid/accounting", headers=staff)
    assert malformed.status_code == 404


async def test_a_signed_in_specialist_reads_the_accounting(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    specialist = await make_user(auth_app, clock, role=Role.SPECIALIST)
    await signed_in(http, specialist, clock)
    patient = await seed.patient(auth_app)
    await seed.write(auth_app, seed.disclosure_of(patient.id, date(2026, 6, 1), **seed.SUBPOENA))
    response = await http.get(url(patient.id))
    assert response.status_code == 200, response.text
    assert len(response.json()["disclosures"]) == 1
