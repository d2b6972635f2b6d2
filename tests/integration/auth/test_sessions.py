"""Server-side sessions: fixation (R18), cookie attributes and timeouts (R19), sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from gateway.auth.sessions import SECURE_COOKIE
from kernel.clock import FixedClock
from tests.fixtures.auth import make_user, sign_in, signed_in

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
SESSION = "/api/v1/auth/session"


async def test_R18_planted_session_id_never_authenticates(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    planted = "attacker-chosen-session-id-0123456789abcdef"
    http.cookies.set(SECURE_COOKIE, planted, domain="testserver.local")
    response = await sign_in(http, user, clock)
    assert response.status_code == 200
    issued = response.cookies.get(SECURE_COOKIE)
    assert issued
    assert issued != planted
    assert (await http.get(SESSION)).status_code == 200  # the issued cookie works
    http.cookies.clear()
    http.cookies.set(SECURE_COOKIE, planted, domain="testserver.local")  # the attacker's browser
    assert (await http.get(SESSION)).status_code == 401


async def test_R18_a_valid_session_presented_at_sign_in_is_replaced_and_ended(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    await signed_in(http, user, clock)
    first = http.cookies.get(SECURE_COOKIE)
    await signed_in(http, user, clock)
    second = http.cookies.get(SECURE_COOKIE)
    assert first
    assert second
    assert first != second
    http.cookies.set(SECURE_COOKIE, first, domain="testserver.local")
    assert (await http.get(SESSION)).status_code == 401


async def test_R18_the_password_change_of_a_first_sign_in_issues_a_new_session_id(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock, ready=False)
    csrf = await signed_in(http, user, clock)
    before = http.cookies.get(SECURE_COOKIE)
    response = await http.post(
        "/api/v1/auth/password",
        json={"current_password": user.password, "new_password": "a brand new passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    after = response.cookies.get(SECURE_COOKIE)
    assert after
    assert after != before
    assert response.json()["csrf_token"] != csrf
    http.cookies.set(SECURE_COOKIE, before or "", domain="testserver.local")
    assert (await http.get(SESSION)).status_code == 401


async def test_R19_session_cookie_is_host_prefixed_secure_httponly_strict(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    response = await sign_in(http, user, clock)
    header = response.headers["set-cookie"]
    name, _, rest = header.partition("=")
    attributes = {part.strip().lower() for part in rest.split(";")[1:]}
    assert name == "__Host-roi_session"
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert "max-age=43200" in attributes
    assert response.headers["cache-control"] == "no-store"


async def test_R19_a_session_idle_for_15_minutes_ends(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    await signed_in(http, user, clock)
    clock.advance(timedelta(minutes=14))
    assert (await http.get(SESSION)).status_code == 200
    clock.advance(timedelta(minutes=14))
    assert (await http.get(SESSION)).status_code == 200
    clock.advance(timedelta(minutes=15))
    assert (await http.get(SESSION)).status_code == 401


async def test_R19_an_active_session_ends_after_12_hours(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    await signed_in(http, user, clock)
    for _ in range(12 * 6 - 1):  # a request every 10 minutes keeps it from idling out
        clock.advance(timedelta(minutes=10))
        assert (await http.get(SESSION)).status_code == 200
    clock.advance(timedelta(minutes=10))
    assert (await http.get(SESSION)).status_code == 401


async def test_sign_out_then_reusing_the_old_cookie_is_refused(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock, role=Role.ADMIN)
    csrf = await signed_in(http, user, clock)
    cookie = http.cookies.get(SECURE_COOKIE)
    response = await http.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert "max-age=0" in response.headers["set-cookie"].lower()
    http.cookies.set(SECURE_COOKIE, cookie or "", domain="testserver.local")
    assert (await http.get(SESSION)).status_code == 401
    assert (await http.get("/api/v1/tokens")).status_code == 401
