"""Integration tokens: opaque ``roi_`` strings shown once, stored only as SHA-256, one role,
organisation-scoped for requesters, revocable, acting exactly as their role."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from gateway.auth.models import IntegrationToken, User
from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import make_token, make_user, session_maker, signed_in

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
TOKENS = "/api/v1/tokens"


async def _admin_client(http: Client, app: Litestar, clock: FixedClock) -> dict[str, str]:
    admin = await make_user(app, clock, role=Role.ADMIN)
    return {"X-CSRF-Token": await signed_in(http, admin, clock)}


async def test_a_token_is_shown_once_and_stored_only_as_its_sha256(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    csrf = await _admin_client(http, auth_app, clock)
    created = await http.post(TOKENS, json={"name": "ehr sync", "role": "specialist"}, headers=csrf)
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("roi_")
    assert len(token) >= 4 + 43  # 256 random bits, url-safe base64
    listed = await http.get(TOKENS)
    assert token not in listed.text
    assert listed.json()[0]["id"] == created.json()["id"]
    async with session_maker(auth_app)() as session:
        row = (await session.scalars(select(IntegrationToken))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(row))


async def test_a_token_acts_exactly_as_its_role(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    attorney = await make_token(auth_app, clock, admin, Role.ATTORNEY)
    bearer = {"Authorization": f"Bearer {attorney}"}
    me = await http.get("/api/v1/auth/session", headers=bearer)
    assert me.json()["role"] == "attorney"
    assert me.json()["organisation_id"] is not None
    assert me.json()["csrf_token"] is None
    assert (await http.get(TOKENS, headers=bearer)).status_code == 403


async def test_a_revoked_token_is_refused_on_its_next_request(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, admin, Role.SPECIALIST)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await http.get("/api/v1/auth/session", headers=bearer)).status_code == 200
    csrf = {"X-CSRF-Token": await signed_in(http, admin, clock)}
    token_id = (await http.get(TOKENS)).json()[0]["id"]
    assert (await http.delete(f"{TOKENS}/{token_id}", headers=csrf)).status_code == 204
    http.cookies.clear()
    assert (await http.get("/api/v1/auth/session", headers=bearer)).status_code == 401
    assert (await http.delete(f"{TOKENS}/{token_id}", headers=bearer)).status_code == 401


async def test_a_token_records_when_it_was_last_used(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, admin, Role.ADMIN)
    bearer = {"Authorization": f"Bearer {token}"}
    listed = await http.get(TOKENS, headers=bearer)
    assert listed.json()[0]["last_used_at"] is not None
    assert listed.json()[0]["created_by"] == str(admin.id)


async def test_a_token_scope_that_does_not_fit_the_roles_table_is_refused(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    payer_org = str((await make_user(auth_app, clock, role=Role.PAYER)).organisation_id)
    csrf = await _admin_client(http, auth_app, clock)
    misfits = [
        {"name": "no org", "role": "attorney"},
        {"name": "staff with org", "role": "admin", "organisation_id": payer_org},
        {"name": "kind mismatch", "role": "attorney", "organisation_id": payer_org},
        {"name": "made-up role", "role": "superuser"},
    ]
    for body in misfits:
        response = await http.post(TOKENS, json=body, headers=csrf)
        assert response.status_code == 422, body
        assert response.json()["code"] == "INVALID_ACCOUNT"
    assert (await http.get(TOKENS)).json() == []


async def test_clients_cannot_set_fields_outside_the_schema(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    csrf = await _admin_client(http, auth_app, clock)
    body = {"name": "x", "role": "specialist", "created_by": "00000000-0000-0000-0000-000000000000"}
    assert (await http.post(TOKENS, json=body, headers=csrf)).status_code == 400


async def test_R22_every_user_and_token_has_a_unique_id_and_an_accountable_creator(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    for role in (Role.ADMIN, Role.PAYER):
        await make_token(auth_app, clock, admin, role)
    async with session_maker(auth_app)() as session:
        users = (await session.scalars(select(User.id))).all()
        creators = (await session.scalars(select(IntegrationToken.created_by))).all()
    assert len(set(users)) == len(users)
    assert set(creators) == {admin.id}
