"""Opening untrusted PDFs with pikepdf and PDFium under limits; foreign errors become ours."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pikepdf
import pypdfium2 as pdfium

from redaction.errors import EncryptedPdf, MalformedPdf, PdfTooLarge
from redaction.limits import Limits, apply_process_limits

_HEADER_WINDOW = 1024


def open_pdf(data: bytes, limits: Limits) -> pikepdf.Pdf:
    """Open ``data`` with qpdf's limits applied; refuse what is too large or encrypted."""
    apply_process_limits(limits)
    if len(data) > limits.max_bytes:
        raise PdfTooLarge("file too large", limit="bytes")
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise MalformedPdf("not a PDF", part="header")
    try:
        pdf = pikepdf.open(io.BytesIO(data), password="")
    except pikepdf.PasswordError as exc:
        raise EncryptedPdf("a password is required") from exc
    except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
        raise MalformedPdf("the file cannot be opened", part="file") from exc
    _check_size(pdf, limits)
    return pdf


def _check_size(pdf: pikepdf.Pdf, limits: Limits) -> None:
    try:
        pages = len(pdf.pages)
        objects = len(pdf.objects)
    except pikepdf.PdfError as exc:
        raise MalformedPdf("the page tree is damaged", part="pages") from exc
    if pages == 0:
        raise MalformedPdf("the file has no pages", part="pages")
    if pages > limits.max_pages:
        raise PdfTooLarge("too many pages", limit="pages", pages=pages)
    if objects > limits.max_objects:
        raise PdfTooLarge("too many objects", limit="objects", objects=objects)


def preflight_streams(pdf: pikepdf.Pdf) -> None:
    """Decode every non-image stream under qpdf's limits before PDFium sees the file.

    PDFium has no decompression limit of its own: a Flate bomb in a content stream or font must
    be refused here, by qpdf, first.
    """
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") != "/Image":
            decode_stream(obj)


def decode_stream(obj: pikepdf.Stream) -> bytes:
    """The decoded data of ``obj``; a limit hit is :class:`PdfTooLarge`, damage is malformed."""
    try:
        return obj.read_bytes()
    except pikepdf.PdfError as exc:
        text = str(exc).lower()
        if "limit" in text or "memory" in text or "too many" in text:
            raise PdfTooLarge("a stream exceeds the decompression limit", limit="stream") from exc
        if "unsupported" in text or "filter" in text:
            return obj.read_raw_bytes()
        raise MalformedPdf("a stream cannot be decoded", part="stream") from exc


def save(pdf: pikepdf.Pdf) -> bytes:
    """A full re-save: no incremental history, no encryption, compressed object streams."""
    out = io.BytesIO()
    if "/Size" not in pdf.trailer:
        # qpdf writes /Size only in place of an existing key: without one (a hand-made file
        # whose trailer has none) the output's xref stream is unreadable. It writes the value.
        pdf.trailer.Size = 0
    try:
        pdf.remove_unreferenced_resources()
        pdf.save(
            out,
            encryption=False,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
            fix_metadata_version=False,
        )
    except pikepdf.PdfError as exc:
        raise MalformedPdf("the file cannot be written", part="save") from exc
    return out.getvalue()


@contextmanager
def open_pdfium(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """A PDFium document for the duration of the block (always closed)."""
    try:
        doc = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        raise MalformedPdf("PDFium cannot open the file", part="pdfium") from exc
    try:
        yield doc
    finally:
        doc.close()
