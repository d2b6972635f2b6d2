"""``redaction.scan_source``: the upload check of a source record. Page counts and per-page token
hits on real fixtures; hostile files refused with the engine's typed errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import redaction
from tests.integration.patients import bad_pdfs
from tests.integration.redaction.fixtures import FIXTURES

MRN = "00482917"  # reportlab_ttf.pdf's MRN (tests/fixtures/pdfs/manifest.json)


def test_pages_and_hits_of_each_token_by_index() -> None:
    scan = redaction.scan_source(FIXTURES["reportlab_ttf.pdf"].pdf, [MRN, "no such token 123"])
    assert scan.page_count == len(scan.hits) == 2
    assert scan.hits == ((0,), (0,))
    assert scan.textless == ()
    assert scan.engine_version == redaction.ENGINE_VERSION


def test_a_record_of_another_patient_has_no_hit() -> None:
    scan = redaction.scan_source(FIXTURES["libreoffice_writer.pdf"].pdf, [MRN])
    assert all(found == () for found in scan.hits)


def test_an_image_only_page_is_named_textless() -> None:
    scan = redaction.scan_source(FIXTURES["image_only_scan.pdf"].pdf, [MRN])
    assert scan.textless == tuple(range(scan.page_count))


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (bad_pdfs.deeply_nested, redaction.MalformedPdf),
        (bad_pdfs.broken_xref, redaction.MalformedPdf),
        (bad_pdfs.executable_named_pdf, redaction.MalformedPdf),
        (lambda: FIXTURES["trap_encrypted_user_password.pdf"].pdf, redaction.EncryptedPdf),
        (bad_pdfs.pdf_bomb, redaction.PdfTooLarge),
    ],
)
def test_hostile_files_are_refused_typed(make: Callable[[], bytes], error: type[Exception]) -> None:
    with pytest.raises(error):
        redaction.scan_source(make(), [MRN])
