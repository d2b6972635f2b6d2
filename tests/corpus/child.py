"""Redact one corpus file in this (limited) process and print one JSON line with the outcome.

    python -m tests.corpus.child FILE

The parent (test_corpus.py) bounds wall time; this process bounds its own address space and CPU
time before it imports the engine, as the gateway's worker pool would. The plan: the middle
horizontal band of page 1 (40-60 % of its height, every x) and one planted term (a word taken
from page 1, or a synthetic name when the page has no text). The outcome is either a verified
output, checked here with PDFium char boxes (no glyph centre left inside the band) and PDFium
text (the term is gone), or a typed refusal (a RedactionError subclass).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
import traceback
import unicodedata
from pathlib import Path

MEMORY = 512 * 1024 * 1024
CPU_SECONDS = 30
FALLBACK_TERM = "Okonkwo-Halvorsen"
LETTER_BAND = (0.0, 316.8, 612.0, 475.2)


def limit_self() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def band_and_term(data: bytes) -> tuple[tuple[float, float, float, float], str]:
    """Page 1's middle band in its user space, and a word of 5+ letters found on it (PDFium;
    a file PDFium cannot read gets a Letter-sized band and a synthetic term)."""
    import pypdfium2 as pdfium  # noqa: PLC0415 (after the limits are set)

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return LETTER_BAND, FALLBACK_TERM
    try:
        page = doc[0]
        x0, y0, x1, y1 = page.get_cropbox()
        words = re.findall(r"[A-Za-z]{5,}", page.get_textpage().get_text_range())
    except (pdfium.PdfiumError, IndexError):
        return LETTER_BAND, FALLBACK_TERM
    finally:
        doc.close()
    band = (x0 - 1000.0, y0 + 0.4 * (y1 - y0), x1 + 1000.0, y0 + 0.6 * (y1 - y0))
    return band, (words[len(words) // 2] if words else FALLBACK_TERM)


def glyphs_in_band(pdf: bytes, band: tuple[float, float, float, float]) -> int:
    import pypdfium2 as pdfium  # noqa: PLC0415
    from pypdfium2 import raw  # noqa: PLC0415

    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[0].get_textpage()
        n = 0
        for i in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage.raw, i) == 1:
                continue
            if chr(raw.FPDFText_GetUnicode(textpage.raw, i)).isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            cx, cy = (left + right) / 2, (bottom + top) / 2
            n += band[0] < cx < band[2] and band[1] < cy < band[3]
        return n
    finally:
        doc.close()


def term_hits(pdf: bytes, term: str) -> int:
    import pypdfium2 as pdfium  # noqa: PLC0415

    doc = pdfium.PdfDocument(pdf)
    try:
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    text = unicodedata.normalize("NFKC", text)
    pattern = r"(?<![A-Za-z])" + r"[\s\-]*".join(map(re.escape, re.findall("[A-Za-z]+", term)))
    return len(re.findall(pattern + r"(?![A-Za-z])", text, flags=re.IGNORECASE))


def run(path: Path) -> dict[str, object]:
    import redaction  # noqa: PLC0415 (after the limits are set)

    data = path.read_bytes()
    band, term = band_and_term(data)
    box = redaction.Box(0, *band)
    plan = redaction.Plan(terms=(term,), detectors=("ssn", "phone"), boxes=(box,))
    limits = redaction.Limits(max_seconds=15.0)
    redaction.apply_process_limits(limits)
    start = time.monotonic()
    try:
        out = redaction.redact(data, plan, limits=limits)
    except redaction.RedactionError as exc:
        data = {k: v for k, v in exc.data.items() if isinstance(v, int | str | None)}
        return {"outcome": "refused", "error": type(exc).__name__, "code": exc.code, "data": data}
    result: dict[str, object] = {"outcome": "verified" if out.report.verified else "unverified"}
    result["seconds"] = round(time.monotonic() - start, 3)
    result["band_glyphs"] = glyphs_in_band(out.pdf, band)
    result["term_hits"] = term_hits(out.pdf, term)
    return result


def where(exc: BaseException) -> str:
    """The innermost engine frame of a traceback (file:line function), for the bug report."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/redaction/" in f.filename]
    last = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{Path(last.filename).name}:{last.lineno} {last.name}"


def main() -> None:
    limit_self()
    try:
        result = run(Path(sys.argv[1]))
    except Exception as exc:  # noqa: BLE001 (the parent reports untyped exceptions as failures)
        result = {"outcome": "untyped", "error": type(exc).__name__, "where": where(exc)}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
