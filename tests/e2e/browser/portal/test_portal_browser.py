"""The request portal in a real browser (issue 7): an attorney invited with ``roi users add``
signs in with TOTP, sees instant feedback for a missing authorization element, submits a request
with the signed authorization, and sees it in the list and its timeline; no console error (a CSP
violation would be one), readable at 390 px. Patients come from ``roi demo`` (synthetic)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from playwright.sync_api import Locator, Page, expect

from gateway.cli import main
from gateway.demo.loader import DEMO_ORGANISATION
from gateway.demo.records import DEMO_PATIENT
from tests.builders.requests import PDF
from tests.e2e.browser.conftest import Site, first_sign_in, off_loop, sign_in
from tests.fixtures.app import settings_env

pytestmark = pytest.mark.browser
FIRM = "Hargrove & Pike LLP (synthetic)"


def seed_demo(site: Site) -> None:
    result = off_loop(
        CliRunner().invoke, main, ["demo", "--if-empty"], env=settings_env(site.settings)
    )
    assert result.exit_code == 0, result.output


def attorney_signed_in(page: Page, site: Site) -> None:
    account = site.add_user("attorney", organisation=DEMO_ORGANISATION)
    secret = first_sign_in(page, site, account)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, account, pyotp.TOTP(secret).at(time.time() + 30))
    expect(page).to_have_url(f"{site.url}/")


def tab_to(page: Page, target: Locator, presses: int = 15) -> None:
    """Reach ``target`` with the Tab key alone (keyboard reachable)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail("not reachable with the keyboard")


def fill_request(page: Page) -> None:
    today = datetime.now(UTC).date()
    page.get_by_label("Medical record number (if known)").fill(DEMO_PATIENT.mrn)
    page.get_by_label("Recipient type").select_option("attorney")
    page.get_by_label("Recipient name").fill(FIRM)
    page.get_by_label("Recipient e-mail").fill("records@hargrove-pike.example")
    page.get_by_label("Purpose of the request").fill("personal injury claim")
    page.get_by_label("Description of the information to be disclosed").fill(
        "All records of treatment in 2026"
    )
    page.get_by_label("Who may disclose (the hospital as named)").fill("General Hospital")
    page.get_by_label("Who may receive (as named on the authorization)").fill(FIRM)
    page.get_by_label("Purpose as stated on the authorization").fill("personal injury claim")
    page.get_by_label("The authorization is signed").check()
    page.get_by_label("Date signed").fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("The right to revoke the authorization in writing").check()
    page.get_by_label("Treatment or payment is not conditioned on signing").check()
    page.get_by_label("Information may be redisclosed by the recipient").check()
    page.get_by_label("Clinical notes").check()


def test_an_attorney_submits_a_request_and_follows_it(
    page: Page, site: Site, console: list[str], tmp_path: Path
) -> None:
    seed_demo(site)
    attorney_signed_in(page, site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    expect(page).to_have_title("Your requests · ROI Gateway")
    tab_to(page, page.get_by_role("link", name="New request"))
    page.keyboard.press("Enter")
    expect(page).to_have_title("New request · ROI Gateway")

    fill_request(page)
    # no expiration yet: the check lists it before anything is sent
    missing = page.locator("#missing")
    expect(missing.locator('[data-code="AUTH_MISSING_ELEMENT:expiration"]')).to_be_visible()
    expiry = (datetime.now(UTC).date() + timedelta(days=180)).isoformat()
    page.get_by_label("Expiration date").fill(expiry)
    page.get_by_label("Expiration date").blur()
    expect(missing).to_contain_text("every required element")

    # sent without the signed document: refused next to the field, what was typed is kept
    page.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_role("alert")).to_contain_text("The request was not sent.")
    expect(page.locator("#evidence-error")).to_contain_text("EVIDENCE_REQUIRED")
    expect(page.get_by_label("Medical record number (if known)")).to_have_value(DEMO_PATIENT.mrn)
    expect(page.get_by_label("Expiration date")).to_have_value(expiry)

    page.get_by_label("Signed authorization (PDF, PNG, JPEG or TIFF)").set_input_files(
        {"name": "authorization.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Submit the request").click()
    expect(page).to_have_url(re.compile(r"/portal/requests/[0-9a-f-]{36}$"))
    expect(page.locator("#timeline li").first).to_contain_text("Received")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Request ")
    assert DEMO_PATIENT.family_name not in page.title()
    assert DEMO_PATIENT.mrn not in page.url

    page.get_by_role("link", name="Back to your requests").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#timeline")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    page.screenshot(path=str(tmp_path / "portal-390.png"), full_page=True)
    assert (tmp_path / "portal-390.png").stat().st_size > 0
    page.goto(f"{site.url}/portal/requests/new")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways at 390 px ({width} px)"
    page.screenshot(path=str(tmp_path / "portal-new-390.png"), full_page=True)
    # the one refused submission is logged by the browser as a failed load; nothing else
    refused = "the server responded with a status of 422"
    assert [m for m in console if refused not in m] == []
    assert len(console) == 1
