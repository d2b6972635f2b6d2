"""R25 for the accounting and ledger routes: every role (and no one) on real ids. Staff
(admin, specialist) read; requesters get 403, anonymous callers 401: 0 unexpected 2xx. The
requester's own organisation's release gets no further than another organisation's."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import ALL_ROLES, STAFF_ROLES, Role
from kernel.clock import FixedClock
from tests.fixtures.auth import make_token, make_user, signed_in
from tests.integration.accounting import seed

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]


async def paths(app: Litestar, *, organisation_id: uuid.UUID | None = None) -> list[str]:
    patient = await seed.patient(app)
    release = await seed.release(app, patient.id, organisation_id=organisation_id)
    await seed.write(
        app,
        seed.disclosure_of(patient.id, date(2026, 3, 4), release_id=release.id, **seed.SUBPOENA),
    )
    return [
        f"/api/v1/patients/{patient.id}/accounting",
        f"/api/v1/patients/{patient.id}/accounting?include_exempt=true",
        f"/api/v1/patients/{patient.id}/accounting.pdf",
        f"/api/v1/releases/{release.id}/ledger",
        "/api/v1/ledger/verify",
    ]


async def test_R25_only_staff_read_accountings_and_the_ledger(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    tokens = {role: await make_token(auth_app, clock, admin, role) for role in ALL_ROLES}
    unexpected = []
    for path in await paths(auth_app):
        anonymous = await http.get(path)
        if anonymous.status_code != 401:
            unexpected.append(("anonymous", path, anonymous.status_code))
        for role, token in tokens.items():
            response = await http.get(path, headers={"Authorization": f"Bearer {token}"})
            expected = 200 if role in STAFF_ROLES else 403
            if response.status_code != expected:
                unexpected.append((role.value, path, response.status_code))
    assert unexpected == []


async def test_R25_a_signed_in_requester_is_refused_even_for_its_own_organisations_release(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    for role in (Role.ATTORNEY, Role.PAYER):
        requester = await make_user(auth_app, clock, role=role)
        await signed_in(http, requester, clock)
        for path in await paths(auth_app, organisation_id=requester.organisation_id):
            response = await http.get(path)
            assert response.status_code == 403, (role, path, response.status_code)
            assert response.json()["code"] == "FORBIDDEN"
            assert b"Synthetic" not in response.content
        http.cookies.clear()
