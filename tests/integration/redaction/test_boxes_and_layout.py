"""Reviewer boxes, copy-on-write of shared forms and layout preservation, over the fixtures.

Geometry is read back with PDFium char boxes (in page user space, as reviewer boxes are).
"""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

import redaction
from tests.integration.redaction import checkers
from tests.integration.redaction.fixtures import FIXTURES

Band = tuple[float, float, float, float]
TEXT_FIXTURES = [f.file for f in FIXTURES.values() if f.expect == "verified" and not f.scanned]
# Fixtures whose page text changes by design on any redaction: form fields are flattened into
# the content (their values join the page text); /ActualText is dropped (PDFium then reads the
# glyphs themselves instead of the replacement text).
REWRITTEN = {"acroform", "marked-content-actualtext"}
STABLE_TEXT = [n for n in TEXT_FIXTURES if not REWRITTEN & set(FIXTURES[n].features)]


def glyph_centres(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[page].get_textpage()
        out = []
        for i in range(textpage.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1 or ch.isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            out.append((ch, (left + right) / 2, (bottom + top) / 2))
        return out
    finally:
        doc.close()


def inside(band: Band, x: float, y: float) -> bool:
    return band[0] < x < band[2] and band[1] < y < band[3]


def middle_band(pdf: bytes) -> Band:
    doc = pdfium.PdfDocument(pdf)
    try:
        x0, y0, x1, y1 = doc[0].get_cropbox()
    finally:
        doc.close()
    return (x0 - 50, y0 + 0.4 * (y1 - y0), x1 + 50, y0 + 0.6 * (y1 - y0))


def page_text(pdf: bytes, page: int) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return str(doc[page].get_textpage().get_text_range())
    finally:
        doc.close()


def word_box(pdf: bytes, page: int, word: str) -> tuple[float, float]:
    """Left and bottom of the first occurrence of ``word`` on ``page``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[page].get_textpage()
        index = textpage.get_text_range().find(word)
        assert index >= 0, word
        left, bottom, _right, _top = textpage.get_charbox(index)
        return left, bottom
    finally:
        doc.close()


@pytest.mark.parametrize("name", STABLE_TEXT)
def test_a_reviewer_band_leaves_no_glyph_centre_inside_and_keeps_the_rest(name: str) -> None:
    source = FIXTURES[name].pdf
    band = middle_band(source)
    before = glyph_centres(source, 0)
    plan = redaction.Plan(boxes=(redaction.Box(0, *band),))
    after = glyph_centres(redaction.redact(source, plan).pdf, 0)
    assert [c for c in after if inside(band, c[1], c[2])] == []
    outside = [c for c in before if not inside(band, c[1], c[2])]
    assert len(after) == len(outside)


def test_a_box_on_one_page_does_not_reach_a_form_xobject_shared_with_another() -> None:
    source = FIXTURES["trap_form_xobject.pdf"].pdf
    header = redaction.Box(0, 0, 728, 612, 770)
    out = redaction.redact(source, redaction.Plan(boxes=(header,))).pdf
    assert "cardiology" not in page_text(out, 0)
    assert "cardiology" in page_text(out, 1)
    assert checkers.normalise(page_text(out, 1)).count("okonkwohalvorsen") == 1


@pytest.mark.parametrize(
    ("name", "page", "word"),
    [
        ("reportlab_ttf.pdf", 0, "agrees with the plan"),
        ("reportlab_ttf.pdf", 0, "MRN:"),
        ("reportlab_ttf.pdf", 1, "Callback"),
        ("libreoffice_writer.pdf", 0, "was reminded"),
        ("chromium_print.pdf", 0, "with cardiology"),
        ("groff_ghostscript.pdf", 0, "by phone"),
        ("trap_split_runs.pdf", 0, "agrees with the plan"),
        ("trap_quote_operators.pdf", 0, "Record header"),
        ("trap_type3_font.pdf", 0, "MRN:"),
    ],
)
def test_text_after_a_removed_run_stays_where_it_was(name: str, page: int, word: str) -> None:
    fixture = FIXTURES[name]
    out = redaction.redact(fixture.pdf, fixture.plan()).pdf
    x0, y0 = word_box(fixture.pdf, page, word)
    x1, y1 = word_box(out, page, word)
    assert (x1, y1) == pytest.approx((x0, y0), abs=0.25)


@pytest.mark.parametrize("name", STABLE_TEXT)
def test_a_plan_that_matches_nothing_changes_no_page_text(name: str) -> None:
    source = FIXTURES[name].pdf
    out = redaction.redact(source, redaction.Plan(terms=("Zzyzx Qwertyuiop",))).pdf
    with pikepdf.open(io.BytesIO(source)) as pdf:
        pages = len(pdf.pages)
    assert [page_text(out, i) for i in range(pages)] == [page_text(source, i) for i in range(pages)]


def test_dropping_a_page_removes_it_and_reports_it() -> None:
    fixture = FIXTURES["reportlab_ttf.pdf"]
    plan = redaction.Plan(terms=fixture.identifiers, detectors=("ssn", "phone"), drop_pages=(1,))
    result = redaction.redact(fixture.pdf, plan)
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        assert len(pdf.pages) == 1
    assert result.report.dropped_pages == (1,)
    assert [p.source_page for p in result.report.pages] == [0]


def test_find_tokens_sees_the_mrn_on_every_page_of_a_record() -> None:
    fixture = FIXTURES["reportlab_ttf.pdf"]
    mrn = fixture.identifiers[2]
    hits = redaction.find_tokens(fixture.pdf, [mrn, "99999999"])
    assert hits == {0: frozenset({mrn}), 1: frozenset({mrn})}


@pytest.mark.parametrize("name", ["reportlab_ttf.pdf", "trap_split_runs.pdf", "chromium_print.pdf"])
def test_verify_fails_on_the_source_and_passes_on_the_redacted_output(name: str) -> None:
    fixture = FIXTURES[name]
    result = redaction.redact(fixture.pdf, fixture.plan())
    assert not redaction.verify(fixture.pdf, list(fixture.identifiers), {}).ok
    assert redaction.verify(result.pdf, list(fixture.identifiers), {}).ok
