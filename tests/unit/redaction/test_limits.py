"""Untrusted input: limits, typed refusals, encryption (redaction.limits, pdfio, errors)."""

from __future__ import annotations

import io
import time
import zlib

import pikepdf
import pytest

import redaction
from redaction import (
    EncryptedPdf,
    Limits,
    MalformedPdf,
    PdfTooLarge,
    Plan,
    RedactionError,
    UnsupportedPdf,
    VerificationFailed,
    apply_process_limits,
    redact,
)
from redaction.errors import OcrFailed, PlanMismatch
from redaction.limits import Deadline
from tests.unit.redaction.builders import page_texts, raw_pdf, text_line, to_bytes, type0_pdf

PLAN = Plan(terms=("Ann Lee",))


def _bomb() -> bytes:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("Ann Lee")])))
    stream = pikepdf.Stream(doc, zlib.compress(b" " * (64 * 1024 * 1024), 9))
    stream.Filter = pikepdf.Name.FlateDecode
    doc.pages[0].contents_add(stream)
    return to_bytes(doc)


def test_a_flate_bomb_is_refused_fast() -> None:
    bomb = _bomb()
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(PdfTooLarge) as caught:
        redact(bomb, PLAN, limits=Limits(flate_max_memory=8 * 1024 * 1024))
    assert caught.value.data["limit"] == "stream"
    assert time.monotonic() - started < 2
    apply_process_limits()


@pytest.mark.parametrize(
    ("limits", "limit"),
    [
        (Limits(max_bytes=100), "bytes"),
        (Limits(max_pages=1), "pages"),
        (Limits(max_objects=3), "objects"),
        (Limits(max_seconds=0), "seconds"),
    ],
)
def test_each_size_limit_is_enforced(limits: Limits, limit: str) -> None:
    with pytest.raises(PdfTooLarge) as caught:
        redact(raw_pdf([text_line("a"), text_line("b")]), PLAN, limits=limits)
    assert caught.value.data["limit"] == limit


def test_a_file_with_an_empty_user_password_is_processed_and_saved_unencrypted() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("seen Ann Lee")])))
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(user="", owner="owner-secret"))
    result = redact(out.getvalue(), PLAN)
    assert page_texts(result.pdf) == ["seen "]
    with pikepdf.open(io.BytesIO(result.pdf)) as again:
        assert not again.is_encrypted


def test_a_file_that_needs_a_password_is_refused() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("x")])))
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(user="user-secret", owner="owner-secret"))
    with pytest.raises(EncryptedPdf):
        redact(out.getvalue(), PLAN)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ\x90\x00 not a pdf",
        b"%PDF-1.7\n garbage without objects",
        b"%PDF-1.4\n" + b"\x00" * 64,
    ],
)
def test_damaged_or_foreign_files_are_malformed(data: bytes) -> None:
    with pytest.raises(MalformedPdf):
        redact(data, PLAN)


def test_a_content_stream_qpdf_cannot_parse_fully_is_refused_not_truncated() -> None:
    garbage = b") ] >> } { ( <zz> " * 30
    pdf = raw_pdf([text_line("Ann Lee") + garbage + text_line("after Ann Lee", y=600)])
    with pytest.raises(MalformedPdf) as caught:
        redact(pdf, PLAN)
    assert caught.value.data["part"] == "content"


def test_vertical_writing_under_a_match_is_unsupported() -> None:
    doc = pikepdf.open(io.BytesIO(type0_pdf(["Ann Lee"])))
    doc.pages[0].Resources.Font.F1.Encoding = pikepdf.Name("/Identity-V")
    with pytest.raises(UnsupportedPdf) as caught:
        redact(to_bytes(doc), PLAN)
    assert caught.value.data["feature"] == "vertical-writing"


def test_the_deadline_raises_once_passed() -> None:
    Deadline(60).check()
    with pytest.raises(PdfTooLarge):
        Deadline(-1).check()


def test_process_limits_are_applied_to_qpdf() -> None:
    apply_process_limits(Limits(flate_max_memory=12345678, max_nesting=40))
    try:
        settings = pikepdf.settings.get_qpdf_limits()
        assert settings["flate_max_memory"] == 12345678
        assert settings["parser_max_nesting"] == 40
    finally:
        apply_process_limits()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (EncryptedPdf, "PDF_ENCRYPTED"),
        (MalformedPdf, "PDF_MALFORMED"),
        (PdfTooLarge, "PDF_TOO_LARGE"),
        (UnsupportedPdf, "PDF_UNSUPPORTED"),
        (OcrFailed, "OCR_FAILED"),
        (PlanMismatch, "REDACTION_PLAN_MISMATCH"),
    ],
)
def test_every_error_has_a_stable_code_under_the_package_base(
    error: type[RedactionError], code: str
) -> None:
    assert error.code == code
    assert issubclass(error, RedactionError)
    assert issubclass(error, redaction.RedactionError)


def test_verification_failed_carries_where_not_what() -> None:
    exc = VerificationFailed(page=2, checker="pypdf-text")
    assert exc.data == {"page": 2, "checker": "pypdf-text"}
    assert exc.code == "PDF_VERIFICATION_FAILED"


@pytest.mark.parametrize(
    "kwargs",
    [{"detectors": ("iban",)}, {"terms": ("  ",)}, {"drop_pages": (-1,)}],
)
def test_a_bad_plan_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"."):
        Plan(**kwargs)  # type: ignore[arg-type]


def test_a_file_qpdf_repairs_on_open_is_still_processed() -> None:
    pdf = raw_pdf([text_line("seen Ann Lee")])
    broken = pdf[: pdf.rindex(b"startxref")] + b"startxref\n999999\n%%EOF\n"
    result = redact(broken, PLAN)
    assert page_texts(result.pdf) == ["seen "]
