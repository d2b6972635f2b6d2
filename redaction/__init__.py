"""The PDF engine: find -> remove glyphs -> paint boxes -> scrub -> stamp -> verify.

Bytes and a plan in, bytes and a report out. Every entry point keeps its state per call (PDFium
is not thread-safe); run it in a process pool whose initializer calls
:func:`apply_process_limits`.
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
    "StampSpec",
    "UnsupportedPdf",
    "VerificationFailed",
    "VerifyReport",
    "apply_process_limits",
    "assemble",
    "find_tokens",
    "redact",
    "stamp",
    "stamp_lines",
    "verify",
]
