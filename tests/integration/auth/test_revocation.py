"""R20: password change, MFA change and account disable end every session of the user and
revoke the integration tokens it created; sign-out ends the one session."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth import totp
from gateway.auth.rules import Role
from gateway.auth.sessions import SECURE_COOKIE
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, TestUser, make_token, make_user, next_code, signed_in

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
SESSION = "/api/v1/auth/session"


async def _other_device(app: Litestar, user: TestUser, clock: FixedClock) -> Client:
    device = AsyncTestClient(app, base_url=BASE_URL)
    await signed_in(device, user, clock)
    return device


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_R20_password_change_kills_other_sessions_and_api_tokens(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, admin, Role.SPECIALIST)
    device = await _other_device(auth_app, admin, clock)
    assert (await http.get(SESSION, headers=_bearer(token))).status_code == 200
    csrf = await signed_in(http, admin, clock)
    response = await http.post(
        "/api/v1/auth/password",
        json={"current_password": admin.password, "new_password": "another long passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert (await device.get(SESSION)).status_code == 401
    assert (await http.get(SESSION, headers=_bearer(token))).status_code == 401
    assert (await http.get(SESSION)).status_code == 200  # the new session of this device


async def test_R20_mfa_change_kills_sessions_and_returns_the_new_uri_once(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    device = await _other_device(auth_app, user, clock)
    csrf = await signed_in(http, user, clock)
    response = await http.post(
        "/api/v1/auth/totp",
        json={"password": user.password, "code": next_code(user, clock)},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    uri = response.json()["provisioning_uri"]
    assert uri.startswith("otpauth://totp/")
    assert (await device.get(SESSION)).status_code == 401
    me = await http.get(SESSION)
    assert me.status_code == 200
    assert "provisioning_uri" not in me.json()
    old_code = next_code(user, clock)
    user.secret = uri.split("secret=")[1].split("&")[0]
    http.cookies.clear()
    refused = await http.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": user.password, "code": old_code},
    )
    assert refused.status_code == 401
    assert totp.current_code(user.secret, clock.now()) != old_code
    await signed_in(http, user, clock)


async def test_R20_disabling_an_account_ends_its_sessions_and_tokens(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    other_admin = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, other_admin, Role.SPECIALIST)
    device = await _other_device(auth_app, other_admin, clock)
    csrf = await signed_in(http, admin, clock)
    url = f"/api/v1/users/{other_admin.id}/disable"
    assert (await http.post(url, headers={"X-CSRF-Token": csrf})).status_code == 204
    assert (await device.get(SESSION)).status_code == 401
    assert (await device.get(SESSION, headers=_bearer(token))).status_code == 401


async def test_an_administrator_cannot_disable_their_own_account(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    csrf = await signed_in(http, admin, clock)
    url = f"/api/v1/users/{admin.id}/disable"
    assert (await http.post(url, headers={"X-CSRF-Token": csrf})).status_code == 422


async def test_sign_out_ends_only_this_session(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    device = await _other_device(auth_app, user, clock)
    csrf = await signed_in(http, user, clock)
    cookie = http.cookies.get(SECURE_COOKIE)
    assert (
        await http.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    ).status_code == 204
    http.cookies.set(SECURE_COOKIE, cookie or "", domain="testserver.local")
    assert (await http.get(SESSION)).status_code == 401
    assert (await device.get(SESSION)).status_code == 200
