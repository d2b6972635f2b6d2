"""Character boxes for matches (redaction.find): one rectangle per line, typed failures."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from redaction import MalformedPdf
from redaction.find import char_rects, page_text
from redaction.matching import Span
from tests.unit.redaction.builders import raw_pdf, text_line


def test_a_span_gets_one_padded_rectangle_per_line_and_skips_spaces() -> None:
    doc = pdfium.PdfDocument(raw_pdf([text_line("Ann Lee", x=72, y=700)]))
    textpage = doc[0].get_textpage()
    text = page_text(textpage)
    [rect] = char_rects(textpage, text, Span(0, len(text), "term"), pad=1.0)
    assert rect.x0 < 72 < rect.x1
    assert rect.y0 < 700 < rect.y1


def test_a_character_pdfium_has_no_box_for_is_a_typed_error_not_a_smaller_box() -> None:
    doc = pdfium.PdfDocument(raw_pdf([text_line("Ann", x=72, y=700)]))
    textpage = doc[0].get_textpage()
    text = page_text(textpage) + "xx"  # indices past PDFium's characters
    with pytest.raises(MalformedPdf):
        char_rects(textpage, text, Span(0, len(text), "term"), pad=1.0)
