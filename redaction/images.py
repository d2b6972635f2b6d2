"""Painting the pixels of images that intersect a redaction rectangle."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf

from redaction.errors import UnsupportedPdf
from redaction.geometry import Matrix, Rect

UNIT = Rect(0.0, 0.0, 1.0, 1.0)


def hit_rects(ctm: Matrix, rects: Sequence[Rect]) -> list[Rect]:
    """The rectangles that intersect the image drawn under ``ctm`` (the unit square)."""
    bbox = ctm.transform_rect(UNIT)
    return [r for r in rects if r.intersects(bbox)]


def paint_xobject(
    pdf: pikepdf.Pdf, image: pikepdf.Stream, ctm: Matrix, rects: Sequence[Rect]
) -> pikepdf.Object | None:
    """A painted copy of ``image`` if it intersects ``rects``, else ``None``."""
    if not hit_rects(ctm, rects):
        return None
    raise UnsupportedPdf("image redaction", feature="image")


def paint_inline(
    pdf: pikepdf.Pdf, image: pikepdf.PdfInlineImage, ctm: Matrix, rects: Sequence[Rect]
) -> pikepdf.Object | None:
    """A painted image XObject replacing an inline image that intersects ``rects``."""
    if not hit_rects(ctm, rects):
        return None
    raise UnsupportedPdf("image redaction", feature="image")
