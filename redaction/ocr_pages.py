"""OCR of image-bearing pages: render with PDFium, recognise words, match, map boxes back."""

from __future__ import annotations

import ctypes
import io
from collections.abc import Sequence

import pypdfium2 as pdfium

from redaction.find import PageFinds
from redaction.geometry import Rect
from redaction.matching import NormalisedText, Span, contains_term, find_detected, find_term
from redaction.ocr import Ocr, OcrWord
from redaction.plan import Plan

OCR_DPI = 300
MIN_IMAGE_SHARE = 0.05


def needs_ocr(page: pdfium.PdfPage) -> bool:
    """Whether an image covers a noticeable share of the page (scans, photos of text)."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) / area >= MIN_IMAGE_SHARE:
            return True
    return False


def ocr_page(page: pdfium.PdfPage, ocr: Ocr, plan: Plan, finds: PageFinds) -> None:
    """Add OCR matches of ``plan`` on ``page`` to ``finds`` (only pages that carry images)."""
    if not needs_ocr(page):
        return
    words, size = recognise(page, ocr)
    finds.ocr = True
    text, owners = _join(words)
    norm = NormalisedText.of(text)
    spans: list[Span] = []
    for term in plan.terms:
        spans.extend(find_term(norm, term))
    for name in plan.detectors:
        spans.extend(find_detected(norm, name, plan.mrn_pattern))
    for span in spans:
        hit = sorted({owners[i] for i in range(span.start, span.end) if owners[i] >= 0})
        rects = [_to_page(page, size, words[w]).padded(plan.pad) for w in hit]
        finds.add(span.kind, rects)
        finds.found.add(text[span.start : span.end])


def recognise(page: pdfium.PdfPage, ocr: Ocr) -> tuple[list[OcrWord], tuple[int, int]]:
    """The OCR words of ``page`` rendered at :data:`OCR_DPI`, and the bitmap size."""
    bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
    buffer = io.BytesIO()
    bitmap.to_pil().save(buffer, format="PNG")
    return ocr.words(buffer.getvalue()), (bitmap.width, bitmap.height)


def ocr_leaks(pdf: bytes, pages: Sequence[int], ocr: Ocr, terms: Sequence[str]) -> list[int]:
    """The pages (of ``pages``) whose OCR text still contains a term."""
    failed: list[int] = []
    document = pdfium.PdfDocument(pdf)
    try:
        for index in pages:
            page = document[index]
            try:
                text, _owners = _join(recognise(page, ocr)[0])
            finally:
                page.close()
            if any(contains_term(text, term) for term in terms):
                failed.append(index)
    finally:
        document.close()
    return failed


def _join(words: list[OcrWord]) -> tuple[str, list[int]]:
    """The words joined by spaces, and for each character the index of its word (-1: space)."""
    parts: list[str] = []
    owners: list[int] = []
    for index, word in enumerate(words):
        if parts:
            parts.append(" ")
            owners.append(-1)
        parts.append(word.text)
        owners.extend([index] * len(word.text))
    return "".join(parts), owners


def _to_page(page: pdfium.PdfPage, size: tuple[int, int], word: OcrWord) -> Rect:
    corners = [
        _device_to_page(page, size, word.left, word.top),
        _device_to_page(page, size, word.left + word.width, word.top + word.height),
    ]
    return Rect.of(corners[0][0], corners[0][1], corners[1][0], corners[1][1])


def _device_to_page(
    page: pdfium.PdfPage, size: tuple[int, int], x: int, y: int
) -> tuple[float, float]:
    page_x, page_y = ctypes.c_double(), ctypes.c_double()
    pdfium.raw.FPDF_DeviceToPage(
        page, 0, 0, size[0], size[1], 0, x, y, ctypes.byref(page_x), ctypes.byref(page_y)
    )
    return page_x.value, page_y.value
