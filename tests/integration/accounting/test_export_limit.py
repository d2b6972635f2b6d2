"""Accounting exports are rate limited per staff account (SECURITY.md R32): the JSON, the PDF
and the admin page draw on one budget of 60 an hour, shared by every process (the database
keeps it), and the refusal is 429 ``RATE_LIMITED`` with ``Retry-After``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.api.accounting import EXPORTS
from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, build_app, make_token, make_user
from tests.integration.accounting import seed

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def test_json_and_pdf_share_one_budget_across_processes(
    http: Client, auth_app: Litestar, staff: dict[str, str], clock: FixedClock
) -> None:
    patient = await seed.patient(auth_app)
    url = f"/api/v1/patients/{patient.id}/accounting"
    # a second app on the same database: another web process
    other = build_app(auth_app.state.settings, clock)
    async with AsyncTestClient(other, base_url=BASE_URL) as second:
        for index in range(EXPORTS.events):
            client, path = (http, url) if index % 2 else (second, f"{url}.pdf")
            response = await client.get(path, headers=staff)
            assert response.status_code == 200, (index, response.text)
        for client in (http, second):
            refused = await client.get(url, headers=staff)
            assert refused.status_code == 429, refused.text
            assert refused.json()["code"] == "RATE_LIMITED"
            assert 1 <= int(refused.headers["retry-after"]) <= 3600
    await other.state.db_engine.dispose()
    clock.advance(timedelta(hours=1, seconds=1))
    assert (await http.get(url, headers=staff)).status_code == 200


async def test_another_account_keeps_its_own_budget(
    http: Client, auth_app: Litestar, staff: dict[str, str], clock: FixedClock
) -> None:
    patient = await seed.patient(auth_app)
    url = f"/api/v1/patients/{patient.id}/accounting"
    for _ in range(EXPORTS.events):
        assert (await http.get(url, headers=staff)).status_code == 200
    assert (await http.get(url, headers=staff)).status_code == 429
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    other = {"Authorization": f"Bearer {await make_token(auth_app, clock, admin, Role.SPECIALIST)}"}
    assert (await http.get(url, headers=other)).status_code == 200
