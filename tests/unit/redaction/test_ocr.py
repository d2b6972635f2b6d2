"""OCR of image pages through the Ocr port, with a fake and the real tesseract adapter."""

from __future__ import annotations

import io
import shutil

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from redaction import OcrFailed, OcrWord, Plan, VerificationFailed, redact
from redaction.ocr_tesseract import TesseractOcr, parse_tsv
from tests.conftest import in_ci
from tests.unit.redaction.builders import raw_pdf, text_line


def _scan(*lines: str) -> bytes:
    image = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i, line in enumerate(lines):
        draw.text((110, 150 + 80 * i), line, fill=0, font=font)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    c.drawImage(ImageReader(image), 0, 0, 612, 792)
    c.showPage()
    c.save()
    return buf.getvalue()


class FakeOcr:
    """Reads two words at fixed pixel boxes (the page renders at 300 dpi) the first time, and
    only "stable" afterwards (the painted output), unless ``stubborn``."""

    def __init__(self, *, stubborn: bool = False) -> None:
        self.calls = 0
        self.stubborn = stubborn

    def words(self, png: bytes) -> list[OcrWord]:
        self.calls += 1
        assert png.startswith(b"\x89PNG")
        if self.calls > 1 and not self.stubborn:
            return [OcrWord("stable", 1, 1, 5, 5)]
        return [OcrWord("Ann", 300, 400, 150, 60), OcrWord("Lee", 480, 400, 150, 60)]


def test_matches_in_ocr_words_become_painted_rectangles() -> None:
    ocr = FakeOcr()
    result = redact(_scan("Ann Lee"), Plan(terms=("Ann Lee",)), ocr=ocr)
    page = result.report.pages[0]
    assert ocr.calls == 2
    assert page.ocr
    assert page.counts == {"term": 1}
    assert page.images_painted == 1
    first, _second = page.rects["term"]
    assert first.x0 == pytest.approx(72 - 0.75, abs=0.1)
    assert first.y1 == pytest.approx(792 - 96 + 0.75, abs=0.1)


def test_pages_without_images_are_not_ocred() -> None:
    ocr = FakeOcr()
    redact(raw_pdf([text_line("text only")]), Plan(terms=("Ann Lee",)), ocr=ocr)
    assert ocr.calls == 0


def test_tesseract_tsv_is_parsed_into_words() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t40\t95.0\tAnn\n"
        "5\t1\t1\t1\t1\t2\t50\t20\tx\t40\t95.0\tbroken\n"
        "5\t1\t1\t1\t1\t3\t90\t20\t30\t40\t95.0\t \n"
    )
    assert parse_tsv(tsv) == [OcrWord("Ann", 10, 20, 30, 40)]


def test_a_missing_tesseract_binary_is_an_ocr_failure() -> None:
    with pytest.raises(OcrFailed):
        TesseractOcr(binary="no-such-tesseract-binary").words(b"")


def test_tesseract_failing_on_bad_input_is_an_ocr_failure() -> None:
    if shutil.which("tesseract") is None and not in_ci():
        pytest.skip("tesseract-ocr is not installed (make debs)")
    with pytest.raises(OcrFailed):
        TesseractOcr().words(b"not an image")


@pytest.mark.slow
def test_tesseract_finds_text_in_a_scan_and_it_is_painted_out() -> None:
    if shutil.which("tesseract") is None and not in_ci():
        pytest.skip("tesseract-ocr is not installed (make debs)")
    result = redact(
        _scan("Patient: Ann Lee", "SSN 412-55-0193", "Diagnosis: stable"),
        Plan(terms=("Ann Lee", "412-55-0193")),
        ocr=TesseractOcr(),
    )
    page = result.report.pages[0]
    assert page.counts == {"term": 2}
    assert page.images_painted == 1
    words = {w.text for w in TesseractOcr().words(_render(result.pdf))}
    assert "Diagnosis:" in words
    assert "Lee" not in words


def _render(pdf: bytes) -> bytes:
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=300 / 72, grayscale=True).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()
    finally:
        doc.close()


def test_the_output_is_re_ocred_and_a_still_readable_term_fails() -> None:
    with pytest.raises(VerificationFailed) as caught:
        redact(_scan("Ann Lee"), Plan(terms=("Ann Lee",)), ocr=FakeOcr(stubborn=True))
    assert (caught.value.page, caught.value.checker) == (0, "ocr-text")


def test_an_ocr_check_is_reported_when_ocr_is_given() -> None:
    result = redact(_scan("Ann Lee"), Plan(terms=("Ann Lee",)), ocr=FakeOcr())
    assert result.report.verification is not None
    assert [c.name for c in result.report.verification.checks][-1] == "ocr-text"
