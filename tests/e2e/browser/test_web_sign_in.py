"""The web sign-in in a real browser (issue 7): first sign-in (password change, TOTP enrolment
from the page), sign-in with password and TOTP, the CSRF and session-fixation defences, the
strict CSP with htmx loaded, and the sign-in page at phone width."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import (
    NEW_PASSWORD,
    SESSION_COOKIE,
    Site,
    first_sign_in,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_first_sign_in_then_a_wrong_code_then_password_and_totp(
    page: Page, site: Site, console: list[str]
) -> None:
    account = site.add_user("specialist")
    first_password = account.password
    secret = first_sign_in(page, site, account)
    expect(page).to_have_title("Home · ROI Gateway")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="API documentation")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{site.url}/sign-in")
    assert session_cookie(page) is None
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    sign_in(page, site, account, wrong)
    expect(page.get_by_role("alert")).to_have_text(
        "The e-mail address, password or code is not right."
    )
    assert session_cookie(page) is None
    # The step used at enrolment is spent; the authenticator's next code is within the window.
    sign_in(page, site, account, pyotp.TOTP(secret).at(time.time() + 30))
    expect(page).to_have_url(f"{site.url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    assert [e for e in console if "401" not in e] == []  # the refused sign-in is logged
    output = site.gateway.text()  # R12: nothing typed or issued reaches the gateway's log
    assert "auth.mfa_enrolled" in output
    cookie = session_cookie(page)
    assert cookie is not None
    for secret_value in (account.email, first_password, NEW_PASSWORD, secret, cookie):
        assert secret_value not in output


def test_R21_a_form_post_without_or_with_a_wrong_csrf_token_is_refused(
    page: Page, site: Site
) -> None:
    sign_in(page, site, site.add_user("admin"))
    expect(page).to_have_url(f"{site.url}/account/password")
    for form in ({}, {"csrf_token": "0" * 64}):
        refused = page.request.post(f"{site.url}/sign-out", form=form)
        assert refused.status == 403
    # A crafted form on the page itself, without the token: the browser lands on a 403 page.
    page.evaluate(
        """() => { const f = document.createElement('form');
                   f.method = 'post'; f.action = '/sign-out';
                   document.body.append(f); f.submit(); }"""
    )
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.goto(f"{site.url}/account/password")  # still signed in: nothing was changed
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()  # with the token: accepted
    expect(page).to_have_url(f"{site.url}/sign-in")


def test_R18_a_planted_session_cookie_is_not_kept_after_sign_in(page: Page, site: Site) -> None:
    planted = "planted-by-an-attacker-0123456789"
    secure_url = site.url.replace("http://", "https://")  # a Secure cookie for this host
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": planted, "url": secure_url, "secure": True}]
    )
    page.goto(f"{site.url}/")
    expect(page).to_have_url(f"{site.url}/sign-in")  # the planted value is no session
    sign_in(page, site, site.add_user("specialist"))
    expect(page).to_have_url(f"{site.url}/account/password")
    issued = session_cookie(page)
    assert issued is not None
    assert issued != planted


def test_the_pages_load_under_the_strict_csp_with_htmx(
    page: Page, site: Site, console: list[str]
) -> None:
    response = page.goto(f"{site.url}/sign-in")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe" not in csp
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => window.htmx.version").startswith("2.0.")
    assert page.evaluate("() => window.htmx.config.allowEval") is False
    page.goto(f"{site.url}/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert [e for e in console if "404" not in e] == []
    assert not [e for e in console if "Content Security Policy" in e]


def test_the_sign_in_page_fits_a_390_px_phone(page: Page, site: Site, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/sign-in")
    shot = tmp_path / "sign-in-390.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 390
    reached = []
    for _ in range(8):  # keyboard reachable: every field and the button, by Tab alone
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("() => document.activeElement.id || document.activeElement.textContent")
        )
    assert {"email", "password", "code", "Sign in"} <= set(reached)
