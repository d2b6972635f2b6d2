"""Independent checks of a redacted output: pdfium text, pypdf text, object walk, geometry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from redaction.geometry import Rect
from redaction.report import VerifyReport


def verify(pdf: bytes, terms: Sequence[str], rects: Mapping[int, Sequence[Rect]]) -> VerifyReport:
    """Check that no term is found in ``pdf`` and no glyph centre lies in ``rects`` (per page)."""
    raise NotImplementedError
