"""Finding text with PDFium: page text, character boxes, term and detector matches."""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from redaction.errors import MalformedPdf
from redaction.geometry import Rect
from redaction.limits import DEFAULT_LIMITS
from redaction.matching import NormalisedText, Span, contains_term, find_detected, find_term
from redaction.pdfio import open_pdf, open_pdfium, preflight_streams
from redaction.plan import Plan


@dataclass(slots=True)
class PageFinds:
    """Matches on one page: rectangles by kind, and the matched strings (kept in memory only,
    to verify the output; never reported)."""

    rects: dict[str, list[Rect]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)
    ocr: bool = False

    def add(self, kind: str, rects: Iterable[Rect]) -> None:
        self.rects.setdefault(kind, []).extend(rects)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def all_rects(self) -> list[Rect]:
        return [r for rects in self.rects.values() for r in rects]


def page_text(textpage: pdfium.PdfTextPage) -> str:
    """The text of a page with exactly one character per PDFium char index."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count > 0 else ""
    if len(text) == count:
        return text
    return "".join(chr(pdfium.raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))


def char_rects(textpage: pdfium.PdfTextPage, text: str, span: Span, pad: float) -> list[Rect]:
    """One rectangle per line of the span's characters (loose boxes, padded)."""
    rects: list[Rect] = []
    loose = pdfium.raw.FS_RECTF()
    ref = ctypes.byref(loose)
    raw = textpage.raw
    for i in range(span.start, span.end):
        if text[i].isspace() or pdfium.raw.FPDFText_IsGenerated(raw, i) == 1:
            continue
        if not pdfium.raw.FPDFText_GetLooseCharBox(raw, i, ref):
            raise MalformedPdf("PDFium gives no box for a character", part="pdfium")
        left, bottom, right, top = loose.left, loose.bottom, loose.right, loose.top
        if right <= left and top <= bottom:
            continue
        box = Rect.of(left, bottom, right, top)
        last = rects[-1] if rects else None
        if last is not None and box.y0 < last.y1 and box.y1 > last.y0:
            rects[-1] = last.union(box)
        else:
            rects.append(box)
    return [r.padded(pad) for r in rects]


def find_on_page(textpage: pdfium.PdfTextPage, plan: Plan) -> PageFinds:
    """Every term and detector match on one page, as padded rectangles by kind."""
    text = page_text(textpage)
    finds = PageFinds()
    if not text:
        return finds
    norm = NormalisedText.of(text)
    spans: list[Span] = []
    for term in plan.terms:
        spans.extend(find_term(norm, term))
    for name in plan.detectors:
        spans.extend(find_detected(norm, name, plan.mrn_pattern))
    for span in spans:
        finds.add(span.kind, char_rects(textpage, text, span, plan.pad))
        finds.found.add(text[span.start : span.end])
    return finds


def find_tokens(pdf: bytes, tokens: Sequence[str]) -> dict[int, frozenset[str]]:
    """Which of ``tokens`` occur (by the term-matching rule) on which 0-based page."""
    with open_pdf(pdf, DEFAULT_LIMITS) as doc:
        preflight_streams(doc)
    hits: dict[int, frozenset[str]] = {}
    with open_pdfium(pdf) as document:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                text = page_text(textpage)
            finally:
                textpage.close()
                page.close()
            found = frozenset(t for t in tokens if contains_term(text, t))
            if found:
                hits[index] = found
    return hits
