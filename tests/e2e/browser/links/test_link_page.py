"""The vendor's link page in Chromium against a live gateway: the facts, Download (a real file),
one download fewer after a reload, the code step of a bound link, 390 px wide, no console
errors. The link is issued by an in-process app on the same database, data dir and keys."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from playwright.sync_api import Page, expect

from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.e2e.browser.conftest import Site, off_loop
from tests.fixtures.auth import BASE_URL, build_app
from tests.integration.links.conftest import PDF, codes_in, released
from tests.integration.queue.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@dataclass
class Issued:
    reference: str
    path: str
    max_uses: int


def _issue(settings: Settings, *, code_required: bool) -> Issued:
    async def run() -> Issued:
        delivery = settings.delivery.model_copy(update={"code_required": code_required})
        app = build_app(
            settings.model_copy(update={"delivery": delivery}), FixedClock(datetime.now(UTC))
        )
        try:
            async with AsyncTestClient(app, base_url=BASE_URL) as client:
                world = World(app, app.state.services.clock, client)
                release, path = await released(world)
                return Issued(release.reference, path, delivery.max_uses)
        finally:
            await app.state.db_engine.dispose()

    return off_loop(asyncio.run, run())


def _codes(settings: Settings) -> list[str]:
    return codes_in(settings.data_dir / "outbox")


def test_vendor_opens_the_link_downloads_and_sees_one_fewer(
    page: Page, site: Site, console: list[str], tmp_path: Path
) -> None:
    issued = _issue(site.settings, code_required=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site.url + issued.path)
    expect(page.locator("#release-ref")).to_have_text(issued.reference)
    expect(page.locator("#recipient")).to_have_text("Synthetic Law LLP")
    expect(page.locator("#expires")).to_be_visible()
    expect(page.locator("#uses-left")).to_have_text(f"{issued.max_uses} of {issued.max_uses}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # no sideways scrolling on a phone
    page.screenshot(path=str(tmp_path / "link-390.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the records (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"release-{issued.reference}-v1.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == PDF
    page.reload()
    left = issued.max_uses - 1
    expect(page.locator("#uses-left")).to_have_text(f"{left} of {issued.max_uses}")
    assert console == []


def test_a_bound_link_asks_for_the_code_first(
    page: Page, site: Site, console: list[str], tmp_path: Path
) -> None:
    issued = _issue(site.settings, code_required=True)
    page.goto(site.url + issued.path)
    expect(page.get_by_role("button", name="Download the records (PDF)")).to_have_count(0)
    before = len(_codes(site.settings))
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("status")).to_contain_text("A code is on its way")
    codes = _codes(site.settings)
    assert len(codes) == before + 1
    page.get_by_label("Code from the e-mail").fill(codes[-1])
    page.get_by_role("button", name="Confirm the code").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the records (PDF)").click()
    saved = tmp_path / "packet.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes() == PDF
    assert console == []
