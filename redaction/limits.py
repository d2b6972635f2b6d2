"""Limits for untrusted PDFs, and the process-wide qpdf settings the worker pool applies."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pikepdf

from redaction.errors import PdfTooLarge


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one call.

    ``flate_max_memory``, ``max_nesting``, ``max_filters``, ``max_parse_errors`` and
    ``max_container`` are process-wide in qpdf: :func:`apply_process_limits` sets them (the
    gateway's workers call it in their initializer; every engine entry point applies them too).
    """

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 5000
    max_objects: int = 2_000_000
    max_seconds: float = 300.0
    flate_max_memory: int = 64 * 1024 * 1024
    max_nesting: int = 64
    max_filters: int = 4
    max_parse_errors: int = 15
    max_container: int = 1_000_000
    max_warnings: int = 500


DEFAULT_LIMITS = Limits()


def apply_process_limits(limits: Limits | None = None) -> None:
    """Set qpdf's process-wide decompression and parsing limits from ``limits``."""
    lim = limits or DEFAULT_LIMITS
    pikepdf.settings.set_qpdf_limits(
        flate_max_memory=lim.flate_max_memory,
        png_max_memory=lim.flate_max_memory,
        run_length_max_memory=lim.flate_max_memory,
        tiff_max_memory=lim.flate_max_memory,
        dct_max_memory=lim.flate_max_memory,
        parser_max_nesting=lim.max_nesting,
        max_stream_filters=lim.max_filters,
        parser_max_errors=lim.max_parse_errors,
        parser_max_container_size=lim.max_container,
        doc_max_warnings=lim.max_warnings,
    )


class Deadline:
    """A per-call time budget, checked between pages and stages."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise PdfTooLarge("time limit exceeded", limit="seconds")
