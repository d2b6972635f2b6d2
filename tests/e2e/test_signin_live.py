"""The credentials printed by ``roi users add`` sign in to a real uvicorn process on loopback with
the TOTP code (issue 2, "done when"), and none of them reaches the process output."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from click.testing import CliRunner

from gateway.auth import totp
from gateway.cli import main
from gateway.settings import Settings
from tests.fixtures.app import LiveGateway, settings_env

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _printed_credentials(settings: Settings) -> tuple[str, str]:
    args = ["users", "add", "--email", "admin@example.test", "--role", "admin"]
    result = CliRunner().invoke(main, args, env=settings_env(settings))
    assert result.exit_code == 0, result.output
    password = re.search(r"one-time password: (\S+)", result.output)
    uri = re.search(r"(otpauth://\S+)", result.output)
    assert password is not None
    assert uri is not None
    return password.group(1), uri.group(1).split("secret=")[1].split("&")[0]


def test_printed_admin_credentials_sign_in_to_the_live_gateway(
    fresh_settings: Settings, live_gateway: LiveGateway
) -> None:
    password, secret = _printed_credentials(fresh_settings)
    code = totp.current_code(secret, datetime.now(UTC))
    body = {"email": "admin@example.test", "password": password, "code": code}
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        signed = client.post("/api/v1/auth/login", json=body)
        assert signed.status_code == 200, signed.text
        assert signed.json()["must_change_password"] is True
        cookie = signed.headers["set-cookie"].split(";")[0]
        assert cookie.startswith("__Host-roi_session=")
        me = client.get("/api/v1/auth/session", headers={"Cookie": cookie})
        assert me.status_code == 200
        blocked = client.get("/api/v1/tokens", headers={"Cookie": cookie})
        assert blocked.json()["code"] == "PASSWORD_CHANGE_REQUIRED"
    output = live_gateway.text()
    assert "auth.signed_in" in output
    for secret_value in (password, secret, cookie.split("=", 1)[1], "admin@example.test"):
        assert secret_value not in output
