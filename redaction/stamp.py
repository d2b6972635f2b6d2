"""Per-recipient watermark and Bates numbers on every page."""

from __future__ import annotations

import pikepdf

from redaction.errors import MalformedPdf
from redaction.geometry import Matrix, Rect
from redaction.layout import FONT, font_dict, show, text_width
from redaction.limits import DEFAULT_LIMITS
from redaction.pdfio import open_pdf, preflight_streams, save
from redaction.specs import StampSpec

MARGIN = 18.0
_ROTATIONS = {0, 90, 180, 270}


def stamp(pdf: bytes, spec: StampSpec) -> bytes:
    """Return ``pdf`` with the watermark line and Bates number drawn on every page."""
    with open_pdf(pdf, DEFAULT_LIMITS) as doc:
        preflight_streams(doc)
        stamp_pages(doc, spec, first=0, marker=b"")
        return save(doc)


def stamp_lines(spec: StampSpec, index: int) -> list[str]:
    """The exact strings stamped on page ``index`` of the stamped sequence."""
    bates = spec.bates(index)
    return [spec.watermark()] + ([bates] if bates else [])


def stamp_pages(doc: pikepdf.Pdf, spec: StampSpec, *, first: int, marker: bytes) -> None:
    """Stamp every page of ``doc``; page ``i`` gets Bates number ``first + i``.

    Each stamp stream starts with ``marker`` (a comment line) so a verifier can tell our own
    overlay from document content.
    """
    font = doc.make_indirect(font_dict(FONT))
    for offset, page in enumerate(doc.pages):
        name = page.add_resource(font, pikepdf.Name.Font, prefix="RoiStamp")
        ops = _stamp_ops(page, spec, first + offset, str(name)[1:])
        closing = b"Q\n" * (unclosed_depth(page) + 1)
        page.contents_add(doc.make_stream(b"q\n"), prepend=True)
        page.contents_add(doc.make_stream(marker + b"\n" + closing + ops))


def unclosed_depth(page: pikepdf.Page) -> int:
    """How many q the page content leaves open (so the stamp is drawn in default space)."""
    depth = 0
    try:
        for operands_operator in pikepdf.parse_content_stream(page, "q Q"):
            op = str(operands_operator.operator)
            depth = depth + 1 if op == "q" else max(0, depth - 1)
    except pikepdf.PdfError as exc:
        raise MalformedPdf("content stream cannot be parsed", part="content") from exc
    return depth


def _stamp_ops(page: pikepdf.Page, spec: StampSpec, index: int, font: str) -> bytes:
    box, rotate = _visible_box(page)
    width, _height = (box.x1 - box.x0, box.y1 - box.y0)
    if rotate in {90, 270}:
        width = box.y1 - box.y0
    size = spec.font_size
    cm = display_matrix(box, rotate)
    ops = [f"q {cm.a:g} {cm.b:g} {cm.c:g} {cm.d:g} {cm.e:.2f} {cm.f:.2f} cm\n".encode()]
    watermark = spec.watermark()
    ops.append(_backed(watermark, MARGIN, MARGIN / 2, font, size))
    bates = spec.bates(index)
    if bates:
        x = width - MARGIN - text_width(bates, size)
        ops.append(_backed(bates, x, MARGIN / 2, font, size))
    ops.append(b"Q\n")
    return b"".join(ops)


def _backed(text: str, x: float, y: float, font: str, size: float) -> bytes:
    """Text on a white band, so it stays legible over page content."""
    w = text_width(text, size)
    band = f"q 1 g {x - 2:.2f} {y - 2:.2f} {w + 4:.2f} {size + 3:.2f} re f Q 0 g\n".encode()
    return band + show(text, x, y, font, size)


def _visible_box(page: pikepdf.Page) -> tuple[Rect, int]:
    box = page.cropbox
    rect = Rect.of(float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return rect, rotate if rotate in _ROTATIONS else 0


def display_matrix(box: Rect, rotate: int) -> Matrix:
    """Map upright display coordinates (origin at the viewer's bottom-left) to user space."""
    if rotate == 90:  # noqa: PLR2004
        return Matrix(0, 1, -1, 0, box.x1, box.y0)
    if rotate == 180:  # noqa: PLR2004
        return Matrix(-1, 0, 0, -1, box.x1, box.y1)
    if rotate == 270:  # noqa: PLR2004
        return Matrix(0, -1, 1, 0, box.x0, box.y1)
    return Matrix(1, 0, 0, 1, box.x0, box.y0)
