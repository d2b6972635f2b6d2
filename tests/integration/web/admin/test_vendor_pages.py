"""The vendor and BAA pages: badges, the upload with the API's checks, amendment, termination,
and who may open or post what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar

from contracts import BaaClause
from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.builders.vendors import PDF, TODAY
from tests.integration.web.admin.helpers import Browser, browser_as
from tests.integration.web.pages import Client

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
ALL = sorted(c.value for c in BaaClause)


def terms(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "covered_entity": "General Hospital (synthetic)",
        "business_associate": "Acme Copy Service (synthetic)",
        "effective_on": (TODAY - timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + timedelta(days=365)).isoformat(),
        "breach_notice_days": "30",
        "clauses": ALL,
        "functions": ["copy"],
    }
    return {**body, **overrides}


def pdf_file(data: bytes = PDF, content_type: str = "application/pdf") -> dict[str, object]:
    return {"document": ("baa.pdf", data, content_type)}


@pytest.fixture
async def admin(auth_app: Litestar, clock: FixedClock, http: Client) -> Browser:
    return await browser_as(auth_app, clock, http, Role.ADMIN)


async def register(admin: Browser, name: str) -> str:
    page = await admin.post("/admin/vendors", {"name": name, "kind": "copy"})
    assert page.status_code == 200, page.text
    assert "The vendor is registered." in page.text
    found = re.search(r'href="/admin/vendors/([0-9a-f-]{36})">' + re.escape(name), page.text)
    assert found is not None
    return found.group(1)


def badge_of(page: str, name: str) -> str:
    row = re.search(re.escape(name) + r"</a></td>.*?badge-([a-z_]+)", page, re.S)
    assert row is not None, page
    return row.group(1)


async def test_the_list_shows_each_vendors_baa_status_as_a_badge(admin: Browser) -> None:
    active = await register(admin, "Active Copy (synthetic)")
    expiring = await register(admin, "Expiring Scan (synthetic)")
    expired = await register(admin, "Expired Mail (synthetic)")
    await register(admin, "No Baa Storage (synthetic)")
    for vendor_id, ends in ((active, 365), (expiring, 10), (expired, -1)):
        fields = terms(ends_on=(TODAY + timedelta(days=ends)).isoformat())
        if ends < 0:
            fields["effective_on"] = (TODAY - timedelta(days=400)).isoformat()
        uploaded = await admin.upload(f"/admin/vendors/{vendor_id}/baas", fields, pdf_file())
        assert uploaded.status_code == 200, uploaded.text
        assert "The BAA is uploaded and checked." in uploaded.text
    page = await admin.get("/admin/vendors")
    assert page.status_code == 200
    assert "<title>Vendors and BAAs · ROI Gateway</title>" in page.text
    assert badge_of(page.text, "Active Copy (synthetic)") == "active"
    assert badge_of(page.text, "Expiring Scan (synthetic)") == "expiring"
    assert badge_of(page.text, "Expired Mail (synthetic)") == "expired"
    assert badge_of(page.text, "No Baa Storage (synthetic)") == "none"
    assert 'href="/admin/vendors"' in page.text  # the bar links the page
    assert "<script>" not in page.text
    assert "style=" not in page.text


async def test_an_upload_is_refused_with_the_apis_reason_and_stores_nothing(
    admin: Browser,
) -> None:
    vendor_id = await register(admin, "Refused Copy (synthetic)")
    path = f"/admin/vendors/{vendor_id}/baas"
    wrong_type = await admin.upload(path, terms(), pdf_file(b"hello", "text/plain"))
    assert wrong_type.status_code == 415
    assert "BAA_DOCUMENT_TYPE" in wrong_type.text
    assert "The signed BAA must be a PDF file." in wrong_type.text
    reversed_dates = terms(ends_on=(TODAY - timedelta(days=60)).isoformat())
    bad_terms = await admin.upload(path, reversed_dates, pdf_file())
    assert bad_terms.status_code == 422
    assert "BAA_TERMS_INVALID" in bad_terms.text
    assert 'value="General Hospital (synthetic)"' in bad_terms.text  # the form is kept
    no_file = await admin.post(path, terms())
    assert no_file.status_code == 422
    assert "BAA_DOCUMENT_MISSING" in no_file.text
    page = await admin.get(f"/admin/vendors/{vendor_id}")
    assert "This vendor may not receive PHI until a signed BAA is uploaded." in page.text


async def test_a_missing_clause_shows_the_finding_and_an_amendment_adds_a_version(
    admin: Browser,
) -> None:
    vendor_id = await register(admin, "Amended Copy (synthetic)")
    missing = [c for c in ALL if c != "return_destroy"]
    page = await admin.upload(
        f"/admin/vendors/{vendor_id}/baas", terms(clauses=missing), pdf_file()
    )
    assert "badge-incomplete" in page.text
    assert "BAA_INCOMPLETE:return_destroy" in page.text
    baa_id = re.search(r'action="/admin/baas/([0-9a-f-]{36})/amendments"', page.text)
    assert baa_id is not None
    amended = await admin.upload(f"/admin/baas/{baa_id.group(1)}/amendments", terms(), pdf_file())
    assert amended.status_code == 200, amended.text
    assert "The amendment is stored as a new version." in amended.text
    assert "badge-active" in amended.text
    assert amended.text.count("<tr><td>") == 2  # both versions listed
    current = re.search(r'action="/admin/baas/([0-9a-f-]{36})/termination"', amended.text)
    assert current is not None
    assert current.group(1) != baa_id.group(1)
    ended = await admin.post(
        f"/admin/baas/{current.group(1)}/termination",
        {"terminated_on": TODAY.isoformat(), "reason": "Contract ended (synthetic)"},
    )
    assert ended.status_code == 200, ended.text
    assert "badge-terminated" in ended.text
    again = await admin.post(
        f"/admin/baas/{current.group(1)}/termination",
        {"terminated_on": TODAY.isoformat(), "reason": "Twice"},
    )
    assert again.status_code == 409
    assert "BAA_ALREADY_TERMINATED" in again.text


async def test_a_specialist_reads_but_cannot_write_and_a_requester_cannot_open(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    specialist = await browser_as(auth_app, clock, http, Role.SPECIALIST)
    page = await specialist.get("/admin/vendors")
    assert page.status_code == 200
    assert 'action="/admin/vendors"' not in page.text
    refused = await specialist.post(
        "/admin/vendors", {"name": "Sneaky (synthetic)", "kind": "copy"}
    )
    assert refused.status_code == 403
    await http.post("/sign-out", data={"csrf_token": specialist.csrf})
    attorney = await browser_as(auth_app, clock, http, Role.ATTORNEY)
    assert (await attorney.get("/admin/vendors")).status_code == 403
    assert "/admin/vendors" not in (await attorney.get("/")).text
