"""The PDF worker pool: engine calls in capped, killable worker processes (SECURITY R29).

Wiring, in the composition root::

    pool = build_pdf_pool(settings, redaction.apply_process_limits)
    app = Litestar(..., on_startup=[pool.start], on_shutdown=[pool.close])  # /ready: pool.ready()
    report = await pool.run(redaction.find_tokens, pdf, tokens)  # "check" lane: 256 MiB, 10 s
    packet = await pool.run(redaction.assemble, ..., memory_cap="assemble")  # 512 MiB, 120 s
"""

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
