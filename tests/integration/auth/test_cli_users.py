"""``roi users add``: a user with a one-time password and a TOTP provisioning URI, printed once
to standard output; the printed credentials sign in and must change the password first."""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from gateway.auth import totp
from gateway.auth.models import User
from gateway.cli import main
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.fixtures.app import settings_env
from tests.fixtures.auth import LOGIN, session_maker

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]


def _roi_users_add(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(main, ["users", "add", *args], env=settings_env(settings))


async def test_roi_users_add_prints_the_secrets_once_and_they_sign_in(
    http: Client, auth_app: Litestar, clock: FixedClock, fresh_settings: Settings
) -> None:
    result = await anyio.to_thread.run_sync(
        _roi_users_add, fresh_settings, "--email", "Admin@Example.test", "--role", "admin"
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"one-time password: (\S+)", result.output)
    uri = re.search(r"(otpauth://\S+)", result.output)
    assert password
    assert uri
    assert result.output.count(password.group(1)) == 1
    async with session_maker(auth_app)() as session:
        user = (await session.scalars(select(User))).one()
    assert user.must_change_password is True
    assert user.password_hash.startswith("$argon2id$")
    assert password.group(1) not in user.password_hash
    secret = uri.group(1).split("secret=")[1].split("&")[0]
    code = totp.current_code(secret, clock.now())
    body = {"email": "admin@example.test", "password": password.group(1), "code": code}
    response = await http.post(LOGIN, json=body)
    assert response.status_code == 200
    assert response.json()["must_change_password"] is True


def test_roi_users_add_makes_requesters_in_their_organisation(fresh_settings: Settings) -> None:
    ok = _roi_users_add(
        fresh_settings, "--email", "a@firm.test", "--role", "attorney", "--organisation", "Firm LLP"
    )
    assert ok.exit_code == 0, ok.output
    again = _roi_users_add(
        fresh_settings, "--email", "a@firm.test", "--role", "attorney", "--organisation", "Firm LLP"
    )
    assert again.exit_code != 0
    assert "EMAIL_TAKEN" in again.output
    orphan = _roi_users_add(fresh_settings, "--email", "b@firm.test", "--role", "attorney")
    assert orphan.exit_code != 0
    assert "INVALID_ACCOUNT" in orphan.output
    wrong_kind = _roi_users_add(
        fresh_settings, "--email", "c@firm.test", "--role", "payer", "--organisation", "Firm LLP"
    )
    assert "INVALID_ACCOUNT" in wrong_kind.output
