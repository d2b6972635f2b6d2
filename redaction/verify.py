"""Independent checks of a redacted output, failing closed.

* ``pdfium-text``: PDFium's page text contains no term;
* ``pypdf-text``: pypdf's page text contains no term;
* ``object-walk``: no string or decoded stream (except image data, ICC profiles and font
  programs) anywhere in the file contains a term (names are vocabulary, not text);
* ``geometry``: no character's centre (PDFium's loose box) lies in a redaction rectangle.
"""

from __future__ import annotations

import bisect
import ctypes
import io
import logging
from collections.abc import Iterable, Mapping, Sequence

import pikepdf
import pypdf
import pypdfium2 as pdfium

from redaction.errors import RedactionError
from redaction.find import page_text
from redaction.geometry import Rect
from redaction.limits import DEFAULT_LIMITS
from redaction.matching import contains_any
from redaction.pdfio import decode_stream, open_pdf, open_pdfium
from redaction.report import Check, VerifyReport

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_PYPDF_ERRORS = (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, AttributeError)


def verify(
    pdf: bytes,
    terms: Sequence[str],
    rects: Mapping[int, Sequence[Rect]],
    *,
    ignore_text: Mapping[int, Sequence[str]] | None = None,
    skip_pages: Iterable[int] = (),
    exempt_marker: bytes | None = None,
    pypdf_pages: Iterable[int] | None = None,
) -> VerifyReport:
    """Check that no term is found in ``pdf`` and no glyph centre lies in ``rects`` (per page).

    ``ignore_text`` (per page) are exact strings our own stamp added; ``skip_pages`` are pages
    we generated; streams starting with ``exempt_marker`` are our own overlays. ``pypdf_pages``
    limits the (slow) pypdf check to those pages (default: every page).
    """
    terms = [t for t in terms if t.strip()]
    ignore = ignore_text or {}
    skip = frozenset(skip_pages)
    pdfium_failed, geometry_failed = _pdfium_checks(pdf, terms, rects, ignore, skip)
    return VerifyReport(
        checks=(
            Check("pdfium-text", not pdfium_failed, tuple(pdfium_failed)),
            _pypdf_check(pdf, terms, ignore, skip, pypdf_pages),
            _walk_check(pdf, terms, exempt_marker),
            Check("geometry", not geometry_failed, tuple(geometry_failed)),
        )
    )


def _leaks(text: str, terms: Sequence[str], ignore: Sequence[str]) -> bool:
    for own in ignore:
        text = text.replace(own, " ")
    return contains_any(text, terms)


def _pdfium_checks(
    pdf: bytes,
    terms: Sequence[str],
    rects: Mapping[int, Sequence[Rect]],
    ignore: Mapping[int, Sequence[str]],
    skip: frozenset[int],
) -> tuple[list[int], list[int]]:
    text_failed: list[int] = []
    geometry_failed: list[int] = []
    with open_pdfium(pdf) as doc:
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            try:
                if index not in skip and _leaks(page_text(textpage), terms, ignore.get(index, ())):
                    text_failed.append(index)
                if rects.get(index) and _centre_inside(textpage, rects[index]):
                    geometry_failed.append(index)
            finally:
                textpage.close()
                page.close()
    return text_failed, geometry_failed


def _centre_inside(textpage: pdfium.PdfTextPage, rects: Sequence[Rect]) -> bool:
    """Whether a (non-generated) character's loose-box centre lies in one of ``rects``.

    Every character is asked for (PDFium has no call that returns loose boxes in bulk); the
    loop is kept lean because it runs once per character of every redacted page.
    """
    box = pdfium.raw.FS_RECTF()
    ref = ctypes.byref(box)
    get_box, generated = pdfium.raw.FPDFText_GetLooseCharBox, pdfium.raw.FPDFText_IsGenerated
    raw = textpage.raw
    boxes = [tuple(r) for r in rects]
    starts, ends = _bands(rects)
    low, high = starts[0] * 2, ends[-1] * 2  # compared with bottom + top (twice the centre)
    find = bisect.bisect_right
    for i in range(textpage.count_chars()):
        get_box(raw, i, ref)
        y2 = box.bottom + box.top
        if y2 < low or y2 > high:
            continue
        y = y2 / 2
        band = find(starts, y) - 1
        if band < 0 or y > ends[band]:
            continue
        x = (box.left + box.right) / 2
        if any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in boxes) and generated(raw, i) != 1:
            return True
    return False


def _bands(rects: Sequence[Rect]) -> tuple[list[float], list[float]]:
    """The union of the rectangles' y ranges as sorted, disjoint bands (starts, ends)."""
    starts: list[float] = []
    ends: list[float] = []
    for r in sorted(rects, key=lambda r: r.y0):
        if ends and r.y0 <= ends[-1]:
            ends[-1] = max(ends[-1], r.y1)
        else:
            starts.append(r.y0)
            ends.append(r.y1)
    return starts, ends


def _pypdf_check(
    pdf: bytes,
    terms: Sequence[str],
    ignore: Mapping[int, Sequence[str]],
    skip: frozenset[int],
    only: Iterable[int] | None,
) -> Check:
    failed: list[int] = []
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    wanted = None if only is None else frozenset(only)
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        for index, page in enumerate(reader.pages):
            if index in skip or (wanted is not None and index not in wanted):
                continue
            try:
                text = page.extract_text()
            except _PYPDF_ERRORS:
                failed.append(index)
                continue
            if _leaks(text, terms, ignore.get(index, ())):
                failed.append(index)
    except _PYPDF_ERRORS:
        return Check("pypdf-text", ok=False)
    return Check("pypdf-text", not failed, tuple(failed))


def _walk_check(pdf: bytes, terms: Sequence[str], exempt_marker: bytes | None) -> Check:
    try:
        with open_pdf(pdf, DEFAULT_LIMITS) as doc:
            skip = _font_programs(doc)
            for obj in doc.objects:
                if _object_leaks(obj, terms, skip, exempt_marker):
                    return Check("object-walk", ok=False)
            if _object_leaks(doc.trailer, terms, skip, exempt_marker):
                return Check("object-walk", ok=False)
    except RedactionError:
        return Check("object-walk", ok=False)
    return Check("object-walk", ok=True)


def _font_programs(doc: pikepdf.Pdf) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for obj in doc.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in _FONT_FILES:
                program = obj.get(key)
                if isinstance(program, pikepdf.Stream) and program.is_indirect:
                    found.add(program.objgen)
    return found


def _object_leaks(
    obj: pikepdf.Object,
    terms: Sequence[str],
    skip: set[tuple[int, int]],
    exempt_marker: bytes | None,
) -> bool:
    if isinstance(obj, pikepdf.Stream):
        if not _binary(obj) and obj.objgen not in skip:
            data = decode_stream(obj)
            exempt = exempt_marker is not None and data.startswith(exempt_marker)
            if not exempt and _bytes_leak(data, terms):
                return True
        return _container_leaks(obj.stream_dict, terms)
    return _container_leaks(obj, terms)


def _binary(stream: pikepdf.Stream) -> bool:
    """Image data, ICC colour profiles, and object/xref streams (their objects are walked
    one by one) are not searched as text."""
    return (
        stream.get("/Subtype") == "/Image"
        or ("/Width" in stream and "/Height" in stream)
        or stream.get("/Type") in {"/ObjStm", "/XRef"}
        or ("/N" in stream and "/Alternate" in stream)
    )


def _container_leaks(obj: object, terms: Sequence[str], depth: int = 0) -> bool:
    if isinstance(obj, pikepdf.String):
        return _bytes_leak(bytes(obj), terms) or _text_leak(str(obj), terms)
    if not isinstance(obj, pikepdf.Object) or depth > 64 or (obj.is_indirect and depth > 0):  # noqa: PLR2004 - walked on their own
        return False
    if isinstance(obj, pikepdf.Array):
        return any(_container_leaks(v, terms, depth + 1) for v in obj)
    if isinstance(obj, pikepdf.Dictionary):
        # Keys and names are the file's vocabulary (/Type /Page, /BM /HardLight): a patient
        # called Page must not fail every file. Strings and streams are what it says.
        return any(_container_leaks(v, terms, depth + 1) for v in obj.values())
    return False


def _bytes_leak(data: bytes, terms: Sequence[str]) -> bool:
    return _text_leak(data.decode("latin-1"), terms)


def _text_leak(text: str, terms: Sequence[str]) -> bool:
    return contains_any(text, terms)
