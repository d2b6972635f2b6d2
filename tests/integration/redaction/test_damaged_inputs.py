"""Damaged fixture variants: a repairable file is redacted, a broken one is refused, typed."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf
import pytest

import redaction
from tests.integration.redaction import checkers
from tests.integration.redaction.fixtures import FIXTURES


def with_wrong_startxref(pdf: bytes) -> bytes:
    """The last startxref points nowhere: qpdf warns, rebuilds the xref and opens the file."""
    return re.sub(rb"startxref\s+\d+", b"startxref\n999", pdf)


@pytest.mark.parametrize("name", ["reportlab_ttf.pdf", "trap_split_runs.pdf", "chromium_print.pdf"])
def test_a_file_whose_xref_qpdf_repairs_is_redacted_not_refused(name: str) -> None:
    fixture = FIXTURES[name]
    result = redaction.redact(with_wrong_startxref(fixture.pdf), fixture.plan())
    assert result.report.verified
    assert checkers.leaks(checkers.pdfium_text(result.pdf), fixture.needles) == []


def with_content_error(pdf: bytes, bad: bytes) -> bytes:
    """The page's content stream with ``bad`` inserted before the per-character SSN line."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0].obj
        content = page.Contents.read_bytes()
        marker = b"ET\nBT /F1 10 Tf 54 725 Td"
        assert marker in content
        page.Contents = doc.make_stream(content.replace(marker, marker + b" " + bad, 1))
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


# qpdf stops at an unterminated string and pikepdf says so with a UserWarning: the engine must
# refuse the file rather than rewrite a truncated stream; the warning itself is expected here.
@pytest.mark.filterwarnings("ignore:Unexpected end of stream:UserWarning")
@pytest.mark.parametrize("bad", [b"(unterminated", b"<zz>", b"] ] }"])
def test_a_content_stream_with_a_syntax_error_on_a_page_with_hits_is_refused(bad: bytes) -> None:
    fixture = FIXTURES["trap_split_runs.pdf"]
    with pytest.raises(redaction.MalformedPdf):
        redaction.redact(with_content_error(fixture.pdf, bad), fixture.plan())


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_truncated_file_is_redacted_or_refused_with_a_typed_error(cut: float) -> None:
    fixture = FIXTURES["reportlab_ttf.pdf"]
    data = fixture.pdf[: int(len(fixture.pdf) * cut)]
    try:
        result = redaction.redact(data, fixture.plan())
    except redaction.RedactionError:
        return
    assert checkers.leaks(checkers.pdfium_text(result.pdf), fixture.needles) == []


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-1.7\n", b"MZ\x90\x00 not a pdf", b"%PDF-1.4\n" + b"A" * 4096]
)
def test_bytes_that_are_not_a_pdf_are_refused_as_malformed(data: bytes) -> None:
    with pytest.raises(redaction.MalformedPdf):
        redaction.redact(data, redaction.Plan(terms=("Okonkwo-Halvorsen",)))


def without_trailer_size(objects: list[bytes]) -> bytes:
    """A well-formed file (correct xref) whose trailer has no /Size, like the corpus's
    hand-written cyclic-toc.pdf."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_trailer_without_size_still_gives_an_output_every_reader_opens() -> None:
    content = b"BT /F1 12 Tf 72 700 Td (seen by Ann Lee today) Tj ET"
    pdf = without_trailer_size(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1"
            b" /BaseFont /Helvetica >> >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Outlines /Count 0 >>",
        ]
    )
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/Size" not in doc.trailer
    result = redaction.redact(pdf, redaction.Plan(terms=("Ann Lee",)))
    assert result.report.verified
    with pikepdf.open(io.BytesIO(result.pdf)) as doc:
        assert int(doc.trailer.Size) >= len(doc.objects)
    reader = pypdf.PdfReader(io.BytesIO(result.pdf), strict=True)
    text = reader.pages[0].extract_text()
    assert "seen by" in text
    assert "Ann" not in text
