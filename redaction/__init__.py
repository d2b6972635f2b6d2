"""The PDF engine: find -> remove glyphs -> paint boxes -> scrub -> stamp -> verify.

Bytes and a plan in, bytes and a report out. Every entry point keeps its state per call (PDFium
is not thread-safe); run it in a process pool whose initializer calls
:func:`apply_process_limits`.

Pipeline of :func:`redact`: open under qpdf limits and decode-check every non-image stream
(``pdfio``) -> flatten form widgets, decrypt an empty-password file (``scrub``) -> find terms
and detector matches with PDFium character boxes, plus OCR of image pages (``find``,
``ocr_pages``) -> remove every glyph whose centre lies in a rectangle by interpreting the content
streams (``remove``, ``textstate``, ``fonts``, ``cmap``) and paint image pixels (``images``) ->
draw opaque boxes -> scrub -> full re-save -> verify (``verify``) or raise.

Refused rather than guessed (``UnsupportedPdf``) when a match falls on a page that uses them:
vertical writing (Identity-V and other vertical CMaps), Type0 fonts with a predefined CMap other
than Identity-H/V (e.g. UniJIS-UCS2-H) or an embedded CMap that uses ``usecmap``, and text shown
at zero size or zero horizontal scaling. Not interpreted: text inside tiling patterns and Type3
glyph procedures (verification fails closed if such text still shows a term). Stencil-mask
images and images neither pikepdf nor PDFium can decode are blacked out whole under a rectangle.
"""

from __future__ import annotations

from redaction.assemble import assemble
from redaction.engine import redact
from redaction.errors import (
    EncryptedPdf,
    MalformedPdf,
    OcrFailed,
    PdfTooLarge,
    RedactionError,
    UnsupportedPdf,
    VerificationFailed,
)
from redaction.find import find_tokens
from redaction.geometry import Rect
from redaction.limits import Limits, apply_process_limits
from redaction.ocr import Ocr, OcrWord
from redaction.plan import DETECTORS, Box, Plan
from redaction.report import ENGINE_VERSION, Check, PageReport, Report, VerifyReport
from redaction.scan import SourceScan, scan_source
from redaction.specs import Packet, PacketSpec, Part, Provenance, Redacted, StampSpec
from redaction.stamp import stamp, stamp_lines
from redaction.verify import verify

__all__ = [
    "DETECTORS",
    "ENGINE_VERSION",
    "Box",
    "Check",
    "EncryptedPdf",
    "Limits",
    "MalformedPdf",
    "Ocr",
    "OcrFailed",
    "OcrWord",
    "Packet",
    "PacketSpec",
    "PageReport",
    "Part",
    "PdfTooLarge",
    "Plan",
    "Provenance",
    "Rect",
    "Redacted",
    "RedactionError",
    "Report",
    "SourceScan",
    "StampSpec",
    "UnsupportedPdf",
    "VerificationFailed",
    "VerifyReport",
    "apply_process_limits",
    "assemble",
    "find_tokens",
    "redact",
    "scan_source",
    "stamp",
    "stamp_lines",
    "verify",
]
