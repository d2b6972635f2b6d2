"""Painting the pixels of images that intersect a redaction rectangle.

The image is decoded (pikepdf/Pillow), the pixels under every rectangle are painted black, and a
fresh Flate-compressed image replaces it under a new resource name (the original object is left to
other users and dropped on save if unused). An image that cannot be decoded here (JBIG2, exotic
colour spaces) is replaced whole by a black image: over-redaction, never a leak.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Sequence

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from redaction.geometry import Matrix, Rect

UNIT = Rect(0.0, 0.0, 1.0, 1.0)
_MAX_PIXELS = 100_000_000
_MODES = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}
_KEEP = ("/SMask", "/Interpolate", "/Intent")
_DECODE_ERRORS = (
    pikepdf.PdfError,
    pikepdf.PikepdfError,
    pikepdf.DependencyError,
    NotImplementedError,
    ValueError,
    OSError,
    KeyError,
    TypeError,
)


def hit_rects(ctm: Matrix, rects: Sequence[Rect]) -> list[Rect]:
    """The rectangles that intersect the image drawn under ``ctm`` (the unit square)."""
    bbox = ctm.transform_rect(UNIT)
    return [r for r in rects if r.intersects(bbox)]


def paint_xobject(
    pdf: pikepdf.Pdf, image: pikepdf.Stream, ctm: Matrix, rects: Sequence[Rect]
) -> pikepdf.Object | None:
    """A painted copy of ``image`` if it intersects ``rects``, else ``None``."""
    hits = hit_rects(ctm, rects)
    if not hits:
        return None
    if bool(image.get("/ImageMask", False)):
        return blackout(pdf)  # stencil masks: painted whole (their polarity is not ours to guess)
    picture: Image.Image | None
    try:
        picture = pikepdf.PdfImage(image).as_pil_image()
    except _DECODE_ERRORS:
        picture = decode_with_pdfium(image)
    if picture is None:
        return blackout(pdf)
    return _encode(pdf, _paint(picture, ctm, hits), image)


def decode_with_pdfium(image: pikepdf.Stream) -> Image.Image | None:
    """Decode an image pikepdf cannot (JBIG2, JPX, ...) by letting PDFium draw it alone on a
    page of its own pixel size; ``None`` if PDFium cannot either."""
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    if not 0 < width * height <= _MAX_PIXELS:
        return None
    alone = pikepdf.new()
    copy = alone.copy_foreign(image)
    for key in ("/SMask", "/Mask"):
        if key in copy:
            del copy[key]
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, width, height]),
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im=copy)),
        Contents=alone.make_stream(f"q {width} 0 0 {height} 0 0 cm /Im Do Q".encode()),
    )
    alone.pages.append(pikepdf.Page(page))
    buffer = io.BytesIO()
    alone.save(buffer)
    try:
        document = pdfium.PdfDocument(buffer.getvalue())
    except pdfium.PdfiumError:
        return None
    try:
        gray = (
            copy.get("/ColorSpace") == "/DeviceGray" or int(copy.get("/BitsPerComponent", 8)) == 1
        )
        rendered: Image.Image = document[0].render(scale=1, grayscale=gray).to_pil()
        return rendered
    finally:
        document.close()


def paint_inline(
    pdf: pikepdf.Pdf, image: pikepdf.PdfInlineImage, ctm: Matrix, rects: Sequence[Rect]
) -> pikepdf.Object | None:
    """A painted image XObject replacing an inline image that intersects ``rects``."""
    hits = hit_rects(ctm, rects)
    if not hits:
        return None
    try:
        picture = image.as_pil_image()
    except _DECODE_ERRORS:
        return blackout(pdf)
    return _encode(pdf, _paint(picture, ctm, hits), None)


def pixel_box(ctm: Matrix, rect: Rect, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The pixel rectangle (left, top, right, bottom; exclusive) under ``rect``, or ``None``."""
    inverse = ctm.inverse()
    if inverse is None:
        return None
    unit = inverse.transform_rect(rect)
    width, height = size
    left = max(0, math.floor(unit.x0 * width))
    right = min(width, math.ceil(unit.x1 * width))
    top = max(0, math.floor((1 - unit.y1) * height))
    bottom = min(height, math.ceil((1 - unit.y0) * height))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _paint(picture: Image.Image, ctm: Matrix, rects: Sequence[Rect]) -> Image.Image:
    picture = picture.convert("RGB") if picture.mode not in _MODES else picture.copy()
    draw = ImageDraw.Draw(picture)
    for rect in rects:
        box = pixel_box(ctm, rect, picture.size)
        if box is not None:
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=0)
    return picture


def _encode(
    pdf: pikepdf.Pdf, picture: Image.Image, original: pikepdf.Stream | None
) -> pikepdf.Object:
    if picture.mode == "1":
        picture = picture.convert("L")
    stream = pdf.make_stream(zlib.compress(picture.tobytes()))
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = picture.size
    stream.Filter = pikepdf.Name.FlateDecode
    stream.ColorSpace = pikepdf.Name(_MODES[picture.mode])
    stream.BitsPerComponent = 8
    if original is not None:
        for key in _KEEP:
            if key in original:
                stream[key] = original[key]
    return stream


def blackout(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A 1x1 black image: the whole undecodable image is redacted."""
    stream = pdf.make_stream(zlib.compress(b"\x00"))
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = stream.Height = 1
    stream.ColorSpace = pikepdf.Name.DeviceGray
    stream.BitsPerComponent = 8
    stream.Filter = pikepdf.Name.FlateDecode
    return stream
