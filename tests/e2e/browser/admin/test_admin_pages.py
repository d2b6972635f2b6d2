"""The administrator's pages in a real browser (issue 7): sign in with TOTP, the vendor list
with its badges, a BAA upload, a patient's accounting with the PDF download, the dashboard; no
console error (a CSP violation would be one), and readable at 390 px."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.builders.vendors import PDF
from tests.e2e.browser.admin.seed import RECIPIENT, patient_with_a_disclosure
from tests.e2e.browser.conftest import Site, first_sign_in, off_loop, sign_in

pytestmark = pytest.mark.browser
VENDOR = "Browser Copy Service (synthetic)"


def admin_signed_in(page: Page, site: Site) -> None:
    account = site.add_user("admin")
    secret = first_sign_in(page, site, account)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, account, pyotp.TOTP(secret).at(time.time() + 30))
    expect(page).to_have_url(f"{site.url}/")


def test_an_admin_registers_a_vendor_uploads_a_baa_reads_an_accounting_and_the_dashboard(
    page: Page, site: Site, console: list[str], tmp_path: Path
) -> None:
    mrn = off_loop(patient_with_a_disclosure, site.settings)
    admin_signed_in(page, site)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="Vendors").click()
    expect(page).to_have_title("Vendors and BAAs · ROI Gateway")
    page.get_by_label("Name").fill(VENDOR)
    page.get_by_label("Kind of work").select_option("copy")
    page.get_by_role("button", name="Register the vendor").click()
    expect(page.get_by_role("status")).to_have_text("The vendor is registered.")
    row = page.get_by_role("row").filter(has_text=VENDOR)
    expect(row.locator(".badge")).to_have_text("No BAA")

    row.get_by_role("link", name=VENDOR).click()
    form = page.locator('form[action$="/baas"]')
    form.get_by_label("Signed BAA (PDF)").set_input_files(
        {"name": "baa.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_label("Covered entity").fill("General Hospital (synthetic)")
    form.get_by_label("Effective on").fill("2026-01-01")
    form.get_by_label("Ends on (leave empty if open-ended)").fill("2028-12-31")
    form.get_by_label("Breach notice (days)").fill("30")
    clauses = form.get_by_role("group", name="Clauses the agreement contains")
    for box in clauses.get_by_role("checkbox").all():
        box.check()
    form.get_by_role("button", name="Upload the BAA").click()
    expect(page.get_by_role("status")).to_have_text("The BAA is uploaded and checked.")
    expect(page.locator("section.card .badge")).to_have_text("Active")
    nav.get_by_role("link", name="Vendors").click()
    expect(page.get_by_role("row").filter(has_text=VENDOR).locator(".badge")).to_have_text("Active")

    nav.get_by_role("link", name="Accounting").click()
    page.get_by_label("Medical record number (MRN)").fill(mrn)
    page.get_by_role("button", name="Show the accounting").click()
    expect(page.locator("#disclosures")).to_contain_text(RECIPIENT)
    expect(page.locator("#disclosures")).to_contain_text("2026-03-04")
    assert mrn not in page.url
    assert mrn not in page.title()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    saved = tmp_path / "accounting.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "accounting-of-disclosures.pdf"
    assert saved.read_bytes().startswith(b"%PDF")

    nav.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_title("Dashboard · ROI Gateway")
    for name in ("Requests by type of legal basis", "Requests by requester type"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("#overdue-count strong")).to_have_text("0")
    assert console == []


def test_the_admin_pages_are_readable_at_390_px(
    page: Page, site: Site, console: list[str], tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    admin_signed_in(page, site)
    for path in (
        "/admin/vendors",
        "/admin/accounting",
        "/admin/ledger",
        "/admin/dashboard",
        "/admin/users",
    ):
        page.goto(f"{site.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= 390, f"{path} is {overflow} px wide at 390 px"
        page.screenshot(
            path=str(tmp_path / f"{path.strip('/').replace('/', '-')}-390.png"), full_page=True
        )
    page.keyboard.press("Tab")  # the skip link is the first stop
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    assert console == []
