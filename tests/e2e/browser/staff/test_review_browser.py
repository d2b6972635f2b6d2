"""The staff queue and review screen in a real browser (issue 7): sign in with TOTP, filter the
queue, open a release, the pdf.js preview shows the packet's pages, add a box by dragging and
re-assemble (progress from the workflow), approve as a first and then a second staff member
(sensitive release), the link issued and mailed, the CSRF defence, and the phone width."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import first_sign_in
from tests.e2e.browser.staff.conftest import ReviewSite

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]
SHOTS = Path(__file__).resolve().parents[4] / "build" / "screenshots"


def open_release(page: Page, site: ReviewSite, release_id: str) -> None:
    page.goto(f"{site.url}/queue/{release_id}")
    viewer = page.locator("#viewer")
    expect(viewer).to_have_attribute("data-rendered-pages", re.compile(r"^[1-9]"), timeout=30_000)


def wait_rendered(page: Page) -> int:
    viewer = page.locator("#viewer")
    count = int(viewer.get_attribute("data-page-count") or "0")
    expect(viewer).to_have_attribute("data-rendered-pages", str(count), timeout=60_000)
    return count


def test_review_add_a_box_reassemble_and_two_approvals(
    page: Page, review_site: ReviewSite, console: list[str]
) -> None:
    site = review_site
    release = site.submit()
    site.mark_sensitive(release["id"])
    first = site.add_user("specialist")
    first_sign_in(page, site, first)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    expect(page).to_have_title("Approval queue · ROI Gateway")
    page.wait_for_load_state("load")  # the module that applies filters on change is loaded
    page.get_by_label("Sensitivity").select_option("yes")  # applies at once; the URL follows
    expect(page).to_have_url(re.compile(r"sensitive=yes"))
    expect(page.get_by_role("link", name=release["reference"])).to_be_visible()
    assert release["reference"] not in page.url  # no identifiers in the address
    page.get_by_role("link", name=release["reference"]).click()
    expect(page).to_have_title(f"Release {release['reference']} · ROI Gateway")

    # The preview: pdf.js renders every page of the packet on a canvas.
    count = wait_rendered(page)
    canvases = page.locator("#viewer canvas")
    expect(canvases).to_have_count(count)
    declared = page.get_by_text(re.compile(r"^Version 1, (\d+) pages?"))
    assert f"{count} page" in declared.inner_text()
    assert "a second approver is needed" in page.locator("#two-person").inner_text()

    # Drag a box on the first page that comes from a source record.
    layer = page.locator('#viewer .layer[data-drawable="yes"]').first
    layer.scroll_into_view_if_needed()
    box = layer.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 120, steps=5)
    page.mouse.up()
    expect(page.get_by_role("status").filter(has_text="Box added")).to_be_visible()
    expect(page.locator("#box-list li")).to_have_count(1)
    wait_rendered(page)
    expect(page.locator("#viewer .box")).to_have_count(1)  # drawn over the page

    # Re-assemble: progress is polled from the workflow, then version 2 is in review.
    page.get_by_role("button", name="Re-assemble with these boxes").click()
    expect(page.locator("#release-state")).to_have_text("assembling")
    site.settle_after_reassembly(release["id"])
    page.reload()
    expect(page.get_by_text(re.compile(r"^Version 2, "))).to_be_visible()
    wait_rendered(page)

    two_approvals(page, site, release["id"])
    assert [e for e in console if "favicon" not in e] == []


def two_approvals(page: Page, site: ReviewSite, release_id: str) -> None:
    """The reviewer edited the plan, so two other staff members approve, one at a time."""
    second = site.add_user("specialist")
    page.get_by_role("button", name="Sign out").click()
    first_sign_in(page, site, second)
    open_release(page, site, release_id)
    page.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(page.get_by_role("status").filter(has_text="A second staff member")).to_be_visible()
    expect(page.locator("#approve")).to_be_disabled()

    third = site.add_user("admin")
    page.get_by_role("button", name="Sign out").click()
    first_sign_in(page, site, third)
    open_release(page, site, release_id)
    page.get_by_role("button", name="Approve (second approval)").click()
    expect(page.get_by_role("status").filter(has_text="link is being issued")).to_be_visible()
    # the link is issued, then mailed, after the approval commits (and by the scheduled sweep)
    deadline = time.monotonic() + 30
    while not _issued_and_mailed(page) and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    expect(page.locator(".link-live")).to_have_count(1)
    assert "not yet" not in page.locator(".links-list").inner_text()  # mailed
    page.get_by_label("Revoke reason").select_option("SENT_IN_ERROR")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").filter(has_text="The link was revoked.")).to_be_visible()
    expect(page.locator(".link-revoked")).to_have_count(1)


def _issued_and_mailed(page: Page) -> bool:
    links = page.locator(".links-list")
    if links.count() != 1:
        return False
    text = links.inner_text()
    return "live" in text and "not yet" not in text


def test_the_csrf_defence_on_an_action(page: Page, review_site: ReviewSite) -> None:
    site = review_site
    release = site.submit()
    staff = site.add_user("specialist")
    first_sign_in(page, site, staff)
    page.goto(f"{site.url}/queue/{release['id']}")
    page.locator('form[action$="/deny"] input[name="csrf_token"]').evaluate(
        "input => { input.value = 'forged'; }"
    )
    page.get_by_label("Deny reason").select_option("DENY_NO_RECORDS")
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.goto(f"{site.url}/queue/{release['id']}")
    expect(page.locator("#release-state")).to_have_text("in review")


def test_the_queue_and_review_screen_at_phone_width(page: Page, review_site: ReviewSite) -> None:
    site = review_site
    release = site.submit()
    staff = site.add_user("specialist")
    first_sign_in(page, site, staff)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/queue")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-queue-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing forces sideways scrolling of the page
    page.goto(f"{site.url}/queue/{release['id']}")
    wait_rendered(page)
    page.screenshot(path=str(SHOTS / "staff-review-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    expect(page.get_by_role("button", name=re.compile(r"^Approve"))).to_be_visible()
