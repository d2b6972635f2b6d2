"""SECURITY: a bad upload gets a 4xx with its reason code and stores nothing (no blob, no row, no
ledger entry); the PDF pool still serves the next, good upload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from litestar import Litestar

from tests.integration.patients import bad_pdfs
from tests.integration.patients.support import UPLOAD_LIMIT_MB, Api, fixture_pdf, stored

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]
MIB = 1024 * 1024


@dataclass(frozen=True)
class Bad:
    name: str
    data: Callable[[], bytes]
    status: int
    code: str
    content_type: str = "application/pdf"
    fields: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name


def oversized() -> bytes:
    """A real PDF padded past the upload limit (trailing bytes after %%EOF)."""
    return fixture_pdf() + bytes((UPLOAD_LIMIT_MB + 1) * MIB)


BAD = [
    Bad("pdf_bomb", bad_pdfs.pdf_bomb, 422, "PDF_TOO_LARGE"),
    Bad("deep_nesting", bad_pdfs.deeply_nested, 422, "PDF_MALFORMED"),
    Bad("broken_xref", bad_pdfs.broken_xref, 422, "PDF_MALFORMED"),
    Bad("executable_renamed_pdf", bad_pdfs.executable_named_pdf, 422, "RECORD_NOT_PDF"),
    Bad(
        "encrypted",
        lambda: fixture_pdf("trap_encrypted_user_password.pdf"),
        422,
        "PDF_ENCRYPTED",
    ),
    Bad("empty_file", lambda: b"", 422, "RECORD_NOT_PDF"),
    Bad("oversized_body", oversized, 413, "PAYLOAD_TOO_LARGE"),
    Bad("wrong_content_type", fixture_pdf, 415, "RECORD_WRONG_TYPE", content_type="text/plain"),
    Bad(
        "bad_service_date",
        fixture_pdf,
        422,
        "RECORD_FIELD_INVALID:service_date",
        fields=(("service_date", "last tuesday"),),
    ),
    Bad(
        "unknown_label",
        fixture_pdf,
        422,
        "RECORD_FIELD_INVALID:labels",
        fields=(("labels", "hiv,top_secret"),),
    ),
    Bad(
        "bad_document_type",
        fixture_pdf,
        422,
        "RECORD_FIELD_INVALID:document_type",
        fields=(("document_type", "../../etc"),),
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=str)
async def test_a_bad_upload_is_refused_with_its_code_and_stores_nothing(
    bad: Bad, staff: Api, records_app: Litestar
) -> None:
    patient_id = await staff.patient()
    before = await stored(records_app)
    fields = dict(bad.fields)
    response = await staff.upload(patient_id, bad.data(), content_type=bad.content_type, **fields)
    assert response.status_code == bad.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == bad.code
    assert await stored(records_app) == before
    good = await staff.upload(patient_id, fixture_pdf())
    assert good.status_code == 201, good.text
    after = await stored(records_app)
    assert (after.records, after.blobs) == (before.records + 1, before.blobs + 1)


async def test_a_body_that_is_not_multipart_is_refused(staff: Api, records_app: Litestar) -> None:
    patient_id = await staff.patient()
    before = await stored(records_app)
    response = await staff.post(
        f"/api/v1/patients/{patient_id}/records",
        {"document_type": "clinical_note", "service_date": "2026-02-09"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "INVALID_REQUEST"
    assert await stored(records_app) == before


async def test_a_file_whose_xref_qpdf_repairs_is_accepted(staff: Api) -> None:
    """Not every damaged xref is hostile: a wrong ``startxref`` is rebuilt by qpdf, and the
    engine's check counts the pages as usual."""
    patient_id = await staff.patient()
    response = await staff.upload(patient_id, bad_pdfs.wrong_startxref())
    assert response.status_code == 201, response.text
    assert response.json()["page_count"] == 2


async def test_bad_uploads_in_a_row_leave_the_pool_serving(
    staff: Api, records_app: Litestar
) -> None:
    """Bombs and damaged files one after another, then good files: the pool answers each."""
    patient_id = await staff.patient()
    for make in (bad_pdfs.pdf_bomb, bad_pdfs.deeply_nested, bad_pdfs.pdf_bomb):
        refused = await staff.upload(patient_id, make())
        assert refused.status_code == 422, refused.text
    for name in ("reportlab_ttf.pdf", "chromium_print.pdf", "groff_ghostscript.pdf"):
        good = await staff.upload(patient_id, fixture_pdf(name))
        assert good.status_code == 201, (name, good.text)
    assert (await stored(records_app)).records == 3
