"""R12 for the access layer: no e-mail address, password, TOTP code or secret, session id,
CSRF token or integration token in any log line or error body of the sign-in flows."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from gateway.auth.sessions import SECURE_COOKIE
from kernel.clock import FixedClock
from tests.fixtures.auth import LOGIN, make_user, next_code, sign_in
from tests.fixtures.logs import CapturedLogs

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
CANARY_PASSWORD = "Canary-Passw0rd-Zebulon"
CANARY_EMAIL = "zebulon.quatermaine@example.test"
CANARY_TOKEN = "roi_canarytokenZebulon0123456789abcdefghijklmn"


async def test_R12_sign_in_flows_log_user_ids_only(
    http: Client, auth_app: Litestar, clock: FixedClock, captured_logs: CapturedLogs
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN, ready=False)
    bodies = [(await sign_in(http, admin, clock, password=CANARY_PASSWORD)).text]
    unknown = {"email": CANARY_EMAIL, "password": CANARY_PASSWORD, "code": "123456"}
    bodies.append((await http.post(LOGIN, json=unknown)).text)
    bodies.append(
        (await http.get("/api/v1/tokens", headers={"Authorization": f"Bearer {CANARY_TOKEN}"})).text
    )
    code = next_code(admin, clock)
    signed = await sign_in(http, admin, clock, code=code)
    csrf = signed.json()["csrf_token"]
    cookie = http.cookies.get(SECURE_COOKIE) or ""
    change = {"current_password": admin.password, "new_password": CANARY_PASSWORD}
    bodies.append(
        (await http.post("/api/v1/auth/password", json=change, headers={"X-CSRF-Token": csrf})).text
    )
    new_csrf = (await http.get("/api/v1/auth/session")).json()["csrf_token"]
    created = await http.post(
        "/api/v1/tokens", json={"name": "bot", "role": "admin"}, headers={"X-CSRF-Token": new_csrf}
    )
    token = created.json()["token"]
    bodies.append(
        (await http.post("/api/v1/tokens", json={}, headers={"X-CSRF-Token": "forged"})).text
    )
    secrets = [
        CANARY_PASSWORD,
        CANARY_EMAIL,
        CANARY_TOKEN,
        admin.email,
        admin.password,
        admin.secret,
    ]
    secrets += [csrf, cookie, token]  # (a six-digit code could match any number: left out)
    assert "auth.signed_in" in captured_logs.text  # the log is really there
    assert str(admin.id) in captured_logs.text
    for secret in secrets:
        assert secret not in captured_logs.text
        assert not any(secret in body for body in bodies)
