"""CSRF (R21): every state-changing request authenticated by the session cookie needs the
session's CSRF token; bearer-token calls carry no ambient credential and are exempt."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import make_token, make_user, signed_in

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
TOKENS = "/api/v1/tokens"
NEW_TOKEN = {"name": "nightly export", "role": "specialist"}


async def test_R21_a_forged_cross_origin_post_without_the_token_is_refused(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    await signed_in(http, admin, clock)
    forged = await http.post(
        TOKENS,
        json=NEW_TOKEN,
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    no_token = await http.post(TOKENS, json=NEW_TOKEN)
    assert forged.status_code == no_token.status_code == 403
    assert no_token.json()["code"] == "CSRF_FAILED"
    assert (await http.get(TOKENS)).json() == []


async def test_R21_a_token_of_another_session_is_refused(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    other_csrf = await signed_in(http, admin, clock)
    await signed_in(http, admin, clock)
    response = await http.post(TOKENS, json=NEW_TOKEN, headers={"X-CSRF-Token": other_csrf})
    assert response.status_code == 403


async def test_R21_the_session_token_in_the_header_or_the_form_field_is_accepted(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    csrf = await signed_in(http, admin, clock)
    by_header = await http.post(TOKENS, json=NEW_TOKEN, headers={"X-CSRF-Token": csrf})
    assert by_header.status_code == 201
    by_form = await http.post("/api/v1/auth/logout", data={"csrf_token": csrf})
    assert by_form.status_code == 204


async def test_R21_bearer_token_calls_need_no_csrf_token(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, admin, Role.ADMIN)
    response = await http.post(TOKENS, json=NEW_TOKEN, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
