"""`make run`'s set-up: `roi demo` loads synthetic accounts once, prints their credentials once on
standard output, and the printed admin credentials sign in to a live gateway with a TOTP code."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from contracts import Decision, VendorFunction
from gateway.auth import totp
from gateway.cli import main
from gateway.db import build_engine, build_session_maker
from gateway.settings import Settings
from tests.fixtures.app import LiveGateway, settings_env
from vendors import may_receive
from vendors.models import Vendor

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _run_demo(settings: Settings) -> str:
    result = CliRunner().invoke(main, ["demo", "--if-empty"], env=settings_env(settings))
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_once_and_its_admin_signs_in_with_totp(
    fresh_settings: Settings, live_gateway: LiveGateway
) -> None:
    first = _run_demo(fresh_settings)
    assert "already loaded" in _run_demo(fresh_settings)
    admin = re.search(
        r"- admin: (\S+)\n\s+one-time password: (\S+)\n\s+TOTP provisioning URI: (\S+)", first
    )
    assert admin is not None
    email, password, uri = admin.groups()
    secret = uri.split("secret=")[1].split("&")[0]
    body = {
        "email": email,
        "password": password,
        "code": totp.current_code(secret, datetime.now(UTC)),
    }
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        signed = client.post("/api/v1/auth/login", json=body)
    assert signed.status_code == 200, signed.text
    assert signed.json()["must_change_password"] is True
    assert "specialist" in first
    assert "attorney" in first
    for value in (password, secret):
        assert value not in live_gateway.text()


async def _copy_decision(settings: Settings) -> Decision:
    engine = build_engine(settings)
    try:
        async with build_session_maker(engine)() as session:
            vendor = (await session.scalars(select(Vendor))).one()
            today = datetime.now(UTC).date()
            return await may_receive(session, vendor.id, VendorFunction.COPY, today)
    finally:
        await engine.dispose()


def test_demo_vendor_has_an_active_baa_for_copying(fresh_settings: Settings) -> None:
    _run_demo(fresh_settings)
    decision = asyncio.run(_copy_decision(fresh_settings))
    assert decision.allowed, decision.findings
