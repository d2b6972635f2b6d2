"""Image pixels under a redaction rectangle are painted (redaction.images)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from redaction import Box, Plan, redact
from redaction.geometry import Matrix, Rect
from redaction.images import _paint, blackout, decode_with_pdfium, hit_rects, pixel_box
from tests.unit.redaction.builders import gray_image, raw_pdf, to_bytes

# A 100x100 grey image drawn at (100, 100) with size 200x200 points: 2 points per pixel.
PLACE = b"q 200 0 0 200 100 100 cm /Im1 Do Q"
BOX = Box(page=0, x0=100, y0=100, x1=200, y1=200)  # the lower-left quarter of the image


def images_of(pdf: bytes) -> list[Image.Image]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [pikepdf.PdfImage(img).as_pil_image() for img in doc.pages[0].get_images().values()]


def test_pixels_under_a_box_are_painted_black_and_others_kept() -> None:
    doc = pikepdf.new()
    pdf = raw_pdf([PLACE], xobjects={"Im1": gray_image(doc, 100, 100)}, pdf=doc)
    result = redact(pdf, Plan(boxes=(BOX,)))
    (image,) = images_of(result.pdf)
    assert image.getpixel((10, 90)) == 0
    assert image.getpixel((90, 10)) == 200
    assert image.getpixel((60, 40)) == 200
    assert result.report.pages[0].images_painted == 1


def test_an_image_outside_every_box_is_left_alone() -> None:
    doc = pikepdf.new()
    pdf = raw_pdf([PLACE], xobjects={"Im1": gray_image(doc, 100, 100)}, pdf=doc)
    result = redact(pdf, Plan(boxes=(Box(page=0, x0=400, y0=400, x1=450, y1=450),)))
    (image,) = images_of(result.pdf)
    assert image.getpixel((10, 90)) == 200
    assert result.report.pages[0].images_painted == 0


def test_an_inline_image_is_replaced_by_a_painted_xobject() -> None:
    data = bytes([200]) * 16
    content = b"q 200 0 0 200 100 100 cm BI /W 4 /H 4 /CS /G /BPC 8 ID " + data + b" EI Q"
    result = redact(raw_pdf([content]), Plan(boxes=(BOX,)))
    (image,) = images_of(result.pdf)
    assert image.getpixel((0, 3)) == 0
    assert image.getpixel((3, 0)) == 200


def test_an_inline_image_outside_every_box_stays_inline() -> None:
    data = bytes([200]) * 16
    content = b"q 200 0 0 200 100 100 cm BI /W 4 /H 4 /CS /G /BPC 8 ID " + data + b" EI Q"
    result = redact(raw_pdf([content]), Plan(boxes=(Box(page=0, x0=400, y0=400, x1=450, y1=450),)))
    assert images_of(result.pdf) == []  # not turned into an XObject
    assert result.report.pages[0].images_painted == 0
    with pikepdf.open(io.BytesIO(result.pdf)) as doc:
        doc.pages[0].contents_coalesce()
        assert b"BI" in doc.pages[0].obj.Contents.read_bytes()


def test_a_stencil_mask_under_a_box_is_painted_whole() -> None:
    doc = pikepdf.new()
    mask = gray_image(doc, 8, 8)
    mask.ImageMask = True
    mask.BitsPerComponent = 1
    del mask["/ColorSpace"]
    mask.write(bytes(8))
    pdf = raw_pdf([PLACE], xobjects={"Im1": mask}, pdf=doc)
    result = redact(pdf, Plan(boxes=(BOX,)))
    (image,) = images_of(result.pdf)
    assert image.size == (1, 1)


def test_an_rgb_image_keeps_its_colours_outside_the_box() -> None:
    doc = pikepdf.new()
    image = gray_image(doc, 10, 10)
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.write(bytes([10, 20, 30]) * 100)
    pdf = raw_pdf([PLACE], xobjects={"Im1": image}, pdf=doc)
    (out,) = images_of(redact(pdf, Plan(boxes=(BOX,))).pdf)
    assert out.getpixel((9, 0)) == (10, 20, 30)
    assert out.getpixel((0, 9)) == (0, 0, 0)


def test_the_unpainted_original_is_not_left_in_the_file() -> None:
    doc = pikepdf.new()
    pdf = raw_pdf([PLACE], xobjects={"Im1": gray_image(doc, 100, 100, value=123)}, pdf=doc)
    result = redact(pdf, Plan(boxes=(BOX,)))
    with pikepdf.open(io.BytesIO(result.pdf)) as out:
        sizes = [
            o.Width
            for o in out.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
    assert sizes == [100]


def test_an_image_shared_with_another_page_is_not_changed_there() -> None:
    doc = pikepdf.new()
    pdf = raw_pdf([PLACE, PLACE], xobjects={"Im1": gray_image(doc, 100, 100)}, pdf=doc)
    result = redact(pdf, Plan(boxes=(BOX,)))
    with pikepdf.open(io.BytesIO(result.pdf)) as out:
        second = next(iter(out.pages[1].get_images().values()))
        assert pikepdf.PdfImage(second).as_pil_image().getpixel((10, 90)) == 200


def test_pixel_boxes_follow_the_image_matrix() -> None:
    ctm = Matrix(200, 0, 0, 200, 100, 100)
    assert pixel_box(ctm, Rect(100, 100, 200, 200), (100, 100)) == (0, 50, 50, 100)
    assert pixel_box(ctm, Rect(0, 0, 50, 50), (100, 100)) is None
    assert pixel_box(Matrix(0, 0, 0, 0, 0, 0), Rect(0, 0, 1, 1), (1, 1)) is None
    assert hit_rects(ctm, [Rect(0, 0, 50, 50), Rect(150, 150, 160, 160)]) == [
        Rect(150, 150, 160, 160)
    ]


def test_blackout_is_a_black_pixel() -> None:
    doc = pikepdf.new()
    image = blackout(doc)
    assert pikepdf.PdfImage(image).as_pil_image().getpixel((0, 0)) == 0
    assert to_bytes(doc)


@pytest.mark.parametrize("mode", ["P", "LA"])
def test_unusual_modes_are_painted_as_rgb(mode: str) -> None:
    picture = Image.new(mode, (4, 4))
    painted = _paint(picture, Matrix(4, 0, 0, 4, 0, 0), [Rect(0, 0, 2, 2)])
    assert painted.mode == "RGB"


def test_pdfium_decodes_what_pikepdf_cannot() -> None:
    doc = pikepdf.new()
    image = gray_image(doc, 6, 4, value=77)
    picture = decode_with_pdfium(image)
    assert picture is not None
    assert picture.size == (6, 4)
    assert picture.convert("L").getpixel((2, 2)) == 77


def test_an_image_neither_decoder_reads_is_blacked_out_whole() -> None:
    doc = pikepdf.new()
    image = gray_image(doc, 100, 100)
    image.Filter = pikepdf.Name.JBIG2Decode
    image.write(b"not jbig2 at all", filter=pikepdf.Name.JBIG2Decode)
    pdf = raw_pdf([PLACE], xobjects={"Im1": image}, pdf=doc)
    result = redact(pdf, Plan(boxes=(BOX,)))
    (out,) = images_of(result.pdf)
    assert out.size in {(1, 1), (100, 100)}
    assert out.convert("L").getpixel((0, out.size[1] - 1)) == 0


def test_an_image_too_large_to_decode_alone_is_not_decoded() -> None:
    doc = pikepdf.new()
    image = gray_image(doc, 1, 1)
    image.Width = 0
    assert decode_with_pdfium(image) is None
