"""The accounting of disclosures as a PDF: download headers (R13), a document that parses, and
the 164.528(b)(2) fields inside it (read back with pypdf and with poppler's pdftotext); the
patient's name and MRN in the document only, never in a header or a log line."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from tests.fixtures.logs import CapturedLogs
from tests.integration.accounting import seed

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
EXEMPT_HEADING = "not part of the accounting"


def pypdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def poppler_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency (make debs)"
    source = tmp_path / "accounting.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode()


def flat(text: str) -> str:
    """Whitespace folded, so a table cell wrapped over lines still reads as one phrase."""
    return re.sub(r"\s+", " ", text)


async def test_the_pdf_carries_the_hospital_patient_period_and_every_field(
    http: Client,
    auth_app: Litestar,
    staff: dict[str, str],
    tmp_path: Path,
    captured_logs: CapturedLogs,
) -> None:
    patient = await seed.patient(auth_app)
    await seed.write(
        auth_app,
        seed.disclosure_of(patient.id, date(2026, 3, 4), **seed.SUBPOENA),
        seed.disclosure_of(patient.id, date(2026, 2, 1), **seed.AUTHORIZED),
    )
    window = {"from": "2026-01-01", "to": "2026-11-27"}
    response = await http.get(
        f"/api/v1/patients/{patient.id}/accounting.pdf", params=window, headers=staff
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="accounting-of-disclosures.pdf"'
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    for secret in (seed.FAMILY, patient.mrn, str(patient.id)):
        assert secret not in headers
        assert secret not in captured_logs.text

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    title = reader.metadata.title if reader.metadata else None
    assert title == "Accounting of disclosures"
    for text in (
        flat(pypdf_text(response.content)),
        flat(poppler_text(response.content, tmp_path)),
    ):
        assert "General Hospital" in text
        assert f"{seed.FAMILY}, {seed.GIVEN}" in text
        assert patient.mrn in text
        assert "2026-01-01 to 2026-11-27" in text
        assert "2026-03-04" in text
        for value in seed.SUBPOENA.values():
            assert flat(value) in text, value
        assert seed.AUTHORIZED["recipient_name"] not in text  # exempt: left out by default
        assert EXEMPT_HEADING not in text


async def test_AOD_02_asked_for_exempt_disclosures_print_in_their_own_section(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    unknown = {**seed.SUBPOENA, "recipient_address": None, "address_unknown": True}
    await seed.write(
        auth_app,
        seed.disclosure_of(patient.id, date(2026, 2, 1), **seed.AUTHORIZED),
        seed.disclosure_of(patient.id, date(2026, 3, 1), **unknown),
    )
    path = f"/api/v1/patients/{patient.id}/accounting.pdf"
    response = await http.get(path, params={"include_exempt": "1"}, headers=staff)
    text = flat(pypdf_text(response.content))
    assert EXEMPT_HEADING in text
    assert text.index(EXEMPT_HEADING) < text.index(seed.AUTHORIZED["recipient_name"])
    assert text.index(seed.SUBPOENA["recipient_name"]) < text.index(EXEMPT_HEADING)
    assert "Address unknown" in text


async def test_markup_and_non_latin_text_print_as_written(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    odd = {**seed.SUBPOENA, "recipient_name": "Łukasz & <Partners> Šimůnek"}
    await seed.write(auth_app, seed.disclosure_of(patient.id, date(2026, 4, 1), **odd))
    response = await http.get(f"/api/v1/patients/{patient.id}/accounting.pdf", headers=staff)
    assert response.status_code == 200, response.text
    assert "Łukasz & <Partners> Šimůnek" in flat(pypdf_text(response.content))


async def test_a_patient_with_no_disclosures_gets_a_document_that_says_so(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    patient = await seed.patient(auth_app)
    await seed.write(auth_app, seed.disclosure_of(uuid.uuid4(), date(2026, 4, 1)))
    response = await http.get(f"/api/v1/patients/{patient.id}/accounting.pdf", headers=staff)
    assert "No disclosures to account for in this period." in flat(pypdf_text(response.content))
