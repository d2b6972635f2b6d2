"""The accounting page (lookup by POST, the window rule, exempt lines flagged, the PDF) and the
ledger page (one release's entries with chain marks, verify the ledger, a tampered row)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from litestar import Litestar

from gateway.api.accounting import EXPORTS
from gateway.auth.rules import Role
from gateway.releases.models import Patient
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.integration.accounting import seed
from tests.integration.ledger.tamper import tamper
from tests.integration.web.admin.helpers import Browser, browser_as
from tests.integration.web.pages import Client

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


@pytest.fixture
async def specialist(auth_app: Litestar, clock: FixedClock, http: Client) -> Browser:
    return await browser_as(auth_app, clock, http, Role.SPECIALIST)


async def seeded(app: Litestar) -> tuple[Patient, uuid.UUID]:
    patient = await seed.patient(app)
    release = await seed.release(app, patient.id)
    await seed.write(
        app,
        seed.disclosure_of(patient.id, date(2026, 3, 4), release_id=release.id, **seed.SUBPOENA),
        seed.disclosure_of(patient.id, date(2026, 5, 6), **seed.AUTHORIZED),
        seed.disclosure_of(uuid.uuid4(), date(2026, 3, 4)),  # another patient's
    )
    return patient, release.id


async def test_a_lookup_by_mrn_shows_the_disclosures_and_no_identifier_in_url_or_title(
    specialist: Browser, auth_app: Litestar
) -> None:
    patient, release_id = await seeded(auth_app)
    page = await specialist.post("/admin/accounting", {"mrn": patient.mrn})
    assert page.status_code == 200, page.text
    assert "<title>Accounting of disclosures · ROI Gateway</title>" in page.text
    assert seed.SUBPOENA["recipient_name"] in page.text
    assert seed.SUBPOENA["recipient_address"] in page.text
    assert seed.SUBPOENA["description"] in page.text
    assert seed.SUBPOENA["purpose"] in page.text
    assert seed.AUTHORIZED["recipient_name"] not in page.text  # exempt: left out by default
    assert "1 disclosure." in page.text
    assert f'href="/admin/releases/{release_id}/ledger"' in page.text
    assert patient.mrn not in page.url.path
    with_exempt = await specialist.post(
        "/admin/accounting", {"mrn": patient.mrn, "include_exempt": "on"}
    )
    assert seed.AUTHORIZED["recipient_name"] in with_exempt.text
    assert with_exempt.text.count("badge-exempt") == 1


async def test_a_name_and_birth_date_lookup_then_the_pdf(
    specialist: Browser, auth_app: Litestar
) -> None:
    patient, _ = await seeded(auth_app)
    fields = {"family_name": seed.FAMILY.upper(), "birth_date": "1971-05-06"}
    await seed.patient(auth_app)  # the seed gives every patient the same name and birth date
    page = await specialist.post("/admin/accounting", fields)
    assert page.status_code == 200, page.text
    assert "Several patients match" in page.text
    assert page.text.count('type="radio" name="patient_id"') == 2
    assert seed.SUBPOENA["recipient_name"] not in page.text
    page = await specialist.post("/admin/accounting", {"patient_id": str(patient.id)})
    assert seed.SUBPOENA["recipient_name"] in page.text
    pdf = await specialist.post(
        "/admin/accounting/pdf",
        {"patient_id": str(patient.id), "since": "2020-11-27", "until": "2026-11-27"},
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "accounting-of-disclosures.pdf" in pdf.headers["content-disposition"]


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({}, 422, "PATIENT_SEARCH_TOO_BROAD"),
        ({"mrn": "MRN-NOT-THERE"}, 404, "PATIENT_NOT_FOUND"),
        (
            {"mrn": "x", "since": "2019-01-01", "until": "2026-01-01"},
            400,
            "ACCOUNTING_WINDOW_TOO_LONG",
        ),
        ({"mrn": "x", "until": "2027-01-01"}, 400, "ACCOUNTING_WINDOW_IN_FUTURE"),
        (
            {"mrn": "x", "since": "2026-02-01", "until": "2026-01-01"},
            400,
            "ACCOUNTING_WINDOW_REVERSED",
        ),
        ({"mrn": "x", "since": "04/03/2026"}, 400, "DATE_INVALID"),
    ],
)
async def test_a_refused_lookup_says_why_on_the_page(
    specialist: Browser, auth_app: Litestar, fields: dict[str, str], status: int, code: str
) -> None:
    patient, _ = await seeded(auth_app)
    if fields.get("mrn") == "x":
        fields = {**fields, "mrn": patient.mrn}
    page = await specialist.post("/admin/accounting", fields)
    assert page.status_code == status, page.text
    assert code in page.text
    assert 'role="alert"' in page.text


async def test_the_ledger_page_shows_a_release_and_verification_finds_a_forged_row(
    specialist: Browser, auth_app: Litestar, fresh_settings: Settings
) -> None:
    _, release_id = await seeded(auth_app)
    page = await specialist.get(f"/admin/releases/{release_id}/ledger")
    assert page.status_code == 200, page.text
    assert "download.completed" in page.text
    assert "Hash chain intact" in page.text
    assert "Not verified" not in page.text
    intact = await specialist.post("/admin/ledger/verify", {})
    assert "The hash chain is intact: 3 entries verified." in intact.text
    sql = "UPDATE ledger_entries SET recipient_name = %s WHERE seq = %s"
    tamper(fresh_settings, (sql, ("Someone Else (synthetic)", 2)))
    broken = await specialist.post("/admin/ledger/verify", {})
    assert "The hash chain is broken at entry 2" in broken.text
    trail = await specialist.get(f"/admin/releases/{release_id}/ledger")
    assert "Verified" in trail.text  # seq 1 still verifies
    assert "broken at entry 2" in trail.text
    missing = await specialist.post("/admin/ledger", {"release": "R-notthere"})
    assert missing.status_code == 404
    assert "RELEASE_NOT_FOUND" in missing.text


async def test_requesters_cannot_open_the_accounting_or_the_ledger(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    attorney = await browser_as(auth_app, clock, http, Role.PAYER)
    assert (await attorney.get("/admin/accounting")).status_code == 403
    assert (await attorney.post("/admin/accounting", {"mrn": "MRN-1"})).status_code == 403
    assert (
        await attorney.post("/admin/accounting/pdf", {"patient_id": str(uuid.uuid4())})
    ).status_code == 403
    assert (await attorney.get("/admin/ledger")).status_code == 403
    assert (await attorney.post("/admin/ledger/verify", {})).status_code == 403


async def test_the_pages_share_the_accountings_export_budget_and_refuse_with_a_page(
    specialist: Browser, auth_app: Litestar
) -> None:
    patient, _ = await seeded(auth_app)
    for _ in range(EXPORTS.events // 2):
        assert (await specialist.post("/admin/accounting", {"mrn": patient.mrn})).status_code == 200
        pdf = await specialist.post("/admin/accounting/pdf", {"patient_id": str(patient.id)})
        assert pdf.status_code == 200
    refused = await specialist.post("/admin/accounting", {"mrn": patient.mrn})
    assert refused.status_code == 429, refused.text[:300]
    assert refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["retry-after"]) >= 1
    assert seed.SUBPOENA["recipient_name"] not in refused.text
