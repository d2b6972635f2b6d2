"""The PDF worker pool: engine calls in capped, killable worker processes (SECURITY R29)."""

from __future__ import annotations

from gateway.pdfpool.errors import (
    PdfPoolBusy,
    PdfPoolError,
    PdfPoolUnavailable,
    PdfWorkerCrashed,
    PdfWorkFailed,
    PdfWorkTimedOut,
    PdfWorkTooLarge,
)
from gateway.pdfpool.pool import MemoryCap, PdfPool, build_pdf_pool

__all__ = [
    "MemoryCap",
    "PdfPool",
    "PdfPoolBusy",
    "PdfPoolError",
    "PdfPoolUnavailable",
    "PdfWorkFailed",
    "PdfWorkTimedOut",
    "PdfWorkTooLarge",
    "PdfWorkerCrashed",
    "build_pdf_pool",
]
