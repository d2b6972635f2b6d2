"""User administration: invite (the one-time password shown once; the first sign-in goes to the
password change), disable (the user can no longer sign in), refusals, and admins only."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.integration.web.admin.helpers import Browser, browser_as
from tests.integration.web.pages import Client, web_sign_in

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
NEW = "new.specialist@example.test"


@pytest.fixture
async def admin(auth_app: Litestar, clock: FixedClock, http: Client) -> Browser:
    return await browser_as(auth_app, clock, http, Role.ADMIN)


async def invite(admin: Browser, **fields: str) -> str:
    page = await admin.post("/admin/users", {"email": NEW, "role": "specialist", **fields})
    assert page.status_code == 200, page.text
    found = re.search(r'<code id="one-time-password">([^<]+)</code>', page.text)
    assert found is not None
    assert "Invited (first sign-in pending)" in page.text
    assert page.headers["cache-control"] == "no-store"  # the password is not kept by the browser
    return found.group(1)


async def test_an_invited_user_signs_in_once_with_the_one_time_password(
    admin: Browser, http: Client
) -> None:
    password = await invite(admin)
    listed = await admin.get("/admin/users")
    assert NEW in listed.text
    assert password not in listed.text  # shown once only
    await http.post("/sign-out", data={"csrf_token": admin.csrf})
    signed = await web_sign_in(http, NEW, password)
    assert signed.status_code == 303
    assert signed.headers["location"] == "/account/password"


async def test_a_disabled_user_cannot_sign_in(admin: Browser, http: Client) -> None:
    password = await invite(admin)
    listed = await admin.get("/admin/users")
    row = re.search(
        r'action="/admin/users/([0-9a-f-]{36})/disable"[^<]*\s*<input[^>]*>\s*'
        r'<button[^>]*aria-label="Disable ' + re.escape(NEW),
        listed.text,
    )
    assert row is not None, listed.text
    disabled = await admin.post(f"/admin/users/{row.group(1)}/disable", {})
    assert disabled.status_code == 200
    assert "The user is disabled" in disabled.text
    await http.post("/sign-out", data={"csrf_token": admin.csrf})
    refused = await web_sign_in(http, NEW, password)
    assert refused.status_code == 401


async def test_refusals_are_shown_with_their_reason(admin: Browser) -> None:
    await invite(admin)
    again = await admin.post("/admin/users", {"email": NEW, "role": "specialist"})
    assert again.status_code == 409
    assert "EMAIL_TAKEN" in again.text
    no_org = await admin.post("/admin/users", {"email": "a@example.test", "role": "attorney"})
    assert no_org.status_code == 422
    assert "INVALID_ACCOUNT" in no_org.text
    assert ">a@example.test</td>" not in no_org.text  # nothing created (other addresses end alike)


async def test_a_specialist_cannot_manage_users(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    specialist = await browser_as(auth_app, clock, http, Role.SPECIALIST)
    assert (await specialist.get("/admin/users")).status_code == 403
    refused = await specialist.post("/admin/users", {"email": NEW, "role": "admin"})
    assert refused.status_code == 403
    assert 'href="/admin/users"' not in (await specialist.get("/")).text
