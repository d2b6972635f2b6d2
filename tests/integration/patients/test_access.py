"""Who may use the patients and records routes (rule ``records.manage``: admin, specialist).

Every role, signed in and through an integration token, and anonymous callers, against every
route this package adds, with REAL ids (an existing patient and record): staff succeed,
requesters get 403, anonymous callers 401, and the count of unexpected 2xx is 0. Requesters'
attempts store nothing."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, make_token, make_user, signed_in
from tests.integration.patients.support import PATIENTS, fixture_pdf, patient_json, stored

pytestmark = [pytest.mark.db, pytest.mark.timeout(300)]
Client = AsyncTestClient[Litestar]
OURS = re.compile(r"^/api/v1/(patients|records)(/|$)")
PATIENTS_API = "gateway.api.patients"  # the accounting routes under /patients are tested there
MRNS = (f"{n:08d}" for n in itertools.count(10_000_000))


@dataclass
class Caller:
    name: str
    role: Role | None
    headers: dict[str, str]


Call = Callable[[Client, Caller, dict[str, str]], Awaitable[httpx.Response]]


def routes(ids: dict[str, str]) -> dict[tuple[str, str], Call]:
    """One call per (method, route template) this package serves."""
    patient, record = ids["patient"], ids["record"]

    def upload(client: Client, caller: Caller, _: dict[str, str]) -> Awaitable[httpx.Response]:
        return client.post(
            f"{PATIENTS}/{patient}/records",
            files={"file": ("r.pdf", fixture_pdf(), "application/pdf")},
            data={"document_type": "clinical_note", "service_date": "2026-02-09"},
            headers=caller.headers,
        )

    return {
        ("POST", "/api/v1/patients"): lambda c, who, _: c.post(
            PATIENTS, json=patient_json(next(MRNS)), headers=who.headers
        ),
        ("POST", "/api/v1/patients/search"): lambda c, who, _: c.post(
            f"{PATIENTS}/search", json={"mrn": patient_json()["mrn"]}, headers=who.headers
        ),
        ("GET", "/api/v1/patients/{patient_id:uuid}"): lambda c, who, _: c.get(
            f"{PATIENTS}/{patient}", headers=who.headers
        ),
        ("GET", "/api/v1/patients/{patient_id:uuid}/records"): lambda c, who, _: c.get(
            f"{PATIENTS}/{patient}/records", headers=who.headers
        ),
        ("POST", "/api/v1/patients/{patient_id:uuid}/records"): upload,
        ("GET", "/api/v1/records/{record_id:uuid}"): lambda c, who, _: c.get(
            f"/api/v1/records/{record}", headers=who.headers
        ),
        ("GET", "/api/v1/records/{record_id:uuid}/content"): lambda c, who, _: c.get(
            f"/api/v1/records/{record}/content", headers=who.headers
        ),
    }


def served(app: Litestar) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if OURS.match(route.path)
        for handler in getattr(route, "route_handlers", [])
        if getattr(handler.fn, "__module__", None) == PATIENTS_API
        for method in handler.http_methods
        if method != "OPTIONS"  # Litestar's automatic OPTIONS handler (tests/integration/auth)
    }


async def seed(client: Client, csrf: str) -> dict[str, str]:
    headers = {"X-CSRF-Token": csrf}
    patient = (await client.post(PATIENTS, json=patient_json(), headers=headers)).json()["id"]
    record = await client.post(
        f"{PATIENTS}/{patient}/records",
        files={"file": ("r.pdf", fixture_pdf(), "application/pdf")},
        data={"document_type": "clinical_note", "service_date": "2026-02-09"},
        headers=headers,
    )
    assert record.status_code == 201, record.text
    return {"patient": patient, "record": record.json()["id"]}


def expected(role: Role | None) -> str:
    if role is None:
        return "401"
    return "2xx" if role in {Role.ADMIN, Role.SPECIALIST} else "403"


def outcome(response: httpx.Response) -> str:
    return "2xx" if response.is_success else str(response.status_code)


async def test_every_role_against_every_route_gives_no_unexpected_2xx(
    records_app: Litestar, clock: FixedClock
) -> None:
    unexpected_2xx: list[tuple[str, str, str]] = []
    mismatches: list[tuple[str, str, str, str]] = []

    async def try_all(client: Client, caller: Caller, ids: dict[str, str]) -> None:
        before = await stored(records_app)
        for (method, template), call in routes(ids).items():
            got = outcome(await call(client, caller, ids))
            if got == "2xx" and expected(caller.role) != "2xx":
                unexpected_2xx.append((caller.name, method, template))
            if got != expected(caller.role):
                mismatches.append((caller.name, method, template, got))
        if expected(caller.role) != "2xx":
            assert await stored(records_app) == before, caller.name

    async with AsyncTestClient(records_app, base_url=BASE_URL) as client:
        admin = await make_user(records_app, clock, role=Role.ADMIN)
        ids = await seed(client, await signed_in(client, admin, clock))
        assert set(routes(ids)) == served(records_app)
        for role in Role:
            token = await make_token(records_app, clock, admin, role)
            client.cookies.clear()
            await try_all(
                client, Caller(f"{role}:token", role, {"Authorization": f"Bearer {token}"}), ids
            )
            user = await make_user(records_app, clock, role=role)
            csrf = await signed_in(client, user, clock)
            await try_all(client, Caller(f"{role}:session", role, {"X-CSRF-Token": csrf}), ids)
        client.cookies.clear()
        await try_all(client, Caller("anonymous", None, {}), ids)
    assert unexpected_2xx == []
    assert mismatches == []
