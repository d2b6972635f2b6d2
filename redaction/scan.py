"""The upload check of a source record: open under limits, count pages, find identifiers.

Values in, values out: page indices and counts, never text. The gateway runs it in the PDF pool's
``check`` lane when a record is uploaded, and stores the result with the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium

from redaction.find import page_text
from redaction.limits import DEFAULT_LIMITS
from redaction.matching import contains_term
from redaction.pdfio import open_pdf, open_pdfium, preflight_streams
from redaction.report import ENGINE_VERSION


@dataclass(frozen=True, slots=True)
class SourceScan:
    """``hits[i]`` holds the indices (into the caller's ``tokens``) found on page ``i``
    (0-based); ``textless`` lists the pages with no extractable text (scans: OCR needed)."""

    page_count: int
    hits: tuple[tuple[int, ...], ...]
    textless: tuple[int, ...]
    engine_version: str = ENGINE_VERSION


def scan_source(pdf: bytes, tokens: Sequence[str]) -> SourceScan:
    """Refuse a file the engine could not process later (``MalformedPdf``, ``EncryptedPdf``,
    ``PdfTooLarge``: a bomb is stopped by qpdf's limits before PDFium decodes anything), then
    report per page which ``tokens`` it carries."""
    with open_pdf(pdf, DEFAULT_LIMITS) as doc:
        preflight_streams(doc)
        page_count = len(doc.pages)
    hits: list[tuple[int, ...]] = []
    textless: list[int] = []
    with open_pdfium(pdf) as document:
        for index in range(len(document)):
            text = _text_of(document, index)
            if not text.strip():
                textless.append(index)
            hits.append(tuple(i for i, token in enumerate(tokens) if contains_term(text, token)))
    return SourceScan(page_count, tuple(hits), tuple(textless))


def _text_of(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    textpage = page.get_textpage()
    try:
        return page_text(textpage)
    finally:
        textpage.close()
        page.close()
