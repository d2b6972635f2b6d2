"""The independent verifier catches planted leaks (redaction.verify), and redact fails closed."""

from __future__ import annotations

import io

import pikepdf
import pytest

from redaction import Plan, Rect, VerificationFailed, redact, verify
from redaction.engine import raise_if_failed
from redaction.report import Check, VerifyReport
from tests.unit.redaction.builders import raw_pdf, text_line, to_bytes

TERM = "Ann Lee"


def _failed(report: VerifyReport) -> set[str]:
    return {c.name for c in report.checks if not c.ok}


def test_a_clean_file_passes_every_check() -> None:
    report = verify(raw_pdf([text_line("visit notes")]), [TERM], {0: [Rect(300, 300, 400, 400)]})
    assert report.ok
    assert [c.name for c in report.checks] == [
        "pdfium-text",
        "pypdf-text",
        "object-walk",
        "geometry",
    ]


def test_visible_text_is_caught_by_both_text_checkers_and_the_walk() -> None:
    report = verify(raw_pdf([text_line("x"), text_line("seen Ann Lee")]), [TERM], {})
    assert _failed(report) == {"pdfium-text", "pypdf-text", "object-walk"}
    assert report.first_failure() == (1, "pdfium-text")


def test_a_term_in_metadata_is_caught_by_the_object_walk() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("x")])))
    doc.docinfo["/Subject"] = "about ann lee"
    assert _failed(verify(to_bytes(doc), [TERM], {})) == {"object-walk"}


def test_a_term_in_a_nested_array_is_caught() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("x")])))
    doc.Root.Extra = pikepdf.Array([pikepdf.Dictionary({"/X": pikepdf.String("Ann-Lee")})])
    assert _failed(verify(to_bytes(doc), [TERM], {})) == {"object-walk"}


def test_structural_keys_binary_streams_and_profiles_are_not_text() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("x")])))
    doc.Root.Extra = pikepdf.Dictionary({"/AnnLee": pikepdf.Name("/Ann-Lee")})
    profile = doc.make_stream(b"Ann Lee profile")
    profile.N, profile.Alternate = 3, pikepdf.Name.DeviceRGB
    doc.Root.Profile = profile
    raw = doc.make_stream(b"Ann Lee pixels")
    raw.Width, raw.Height = 1, 1
    doc.Root.Raw = raw
    assert verify(to_bytes(doc), [TERM], {}).ok


def test_a_glyph_left_inside_a_rectangle_is_caught_by_geometry() -> None:
    report = verify(raw_pdf([text_line("kept", x=72, y=700)]), [], {0: [Rect(60, 690, 120, 720)]})
    assert _failed(report) == {"geometry"}


def test_our_own_stamp_lines_and_marked_streams_are_not_leaks() -> None:
    pdf = raw_pdf([text_line("for Ann Lee")])
    assert not verify(pdf, [TERM], {}, ignore_text={0: ["for Ann Lee"]}, skip_pages=[0]).ok
    doc = pikepdf.open(io.BytesIO(pdf))
    doc.pages[0].obj.Contents = doc.make_stream(b"%mark\n" + text_line("for Ann Lee"))
    report = verify(
        to_bytes(doc), [TERM], {}, ignore_text={0: ["for Ann Lee"]}, exempt_marker=b"%mark"
    )
    assert report.ok


def test_a_file_pypdf_cannot_read_fails_that_check() -> None:
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("x")])))
    doc.pages[0].obj.Contents = doc.make_stream(b"BT /F1 12 Tf (x) Tj ET")
    del doc.pages[0].obj.Resources.Font
    assert verify(to_bytes(doc), [TERM], {}).ok


def test_redact_raises_with_page_and_checker_and_never_the_text() -> None:
    failing = VerifyReport(checks=(Check("pdfium-text", ok=True), Check("geometry", False, (3,))))
    with pytest.raises(VerificationFailed) as caught:
        raise_if_failed(failing)
    assert (caught.value.page, caught.value.checker) == (3, "geometry")
    assert caught.value.code == "PDF_VERIFICATION_FAILED"
    assert failing.to_dict()["ok"] is False


def test_redact_fails_closed_when_text_cannot_be_removed() -> None:
    # The term is in the raw content of a page PDFium cannot see (not in the page tree).
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("visible")])))
    doc.Root.Orphan = doc.make_stream(text_line("Ann Lee"))
    with pytest.raises(VerificationFailed) as caught:
        redact(to_bytes(doc), Plan(terms=(TERM,)))
    assert caught.value.checker == "object-walk"
    assert TERM not in str(caught.value)
    assert TERM not in repr(caught.value)


def test_unverified_mode_returns_without_checks() -> None:
    result = redact(raw_pdf([text_line("Ann Lee")]), Plan(terms=(TERM,)), verify=False)
    assert result.report.verification is None
    assert not result.report.verified
    assert result.report.to_dict()["verification"] is None
