"""Packet assembly: cover sheet, notice pages, redacted parts in order, stamped, verified."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import replace

import pikepdf

from redaction.engine import raise_if_failed, redact_with_terms
from redaction.layout import BOLD, FONT, font_dict, show, wrap
from redaction.limits import Limits
from redaction.ocr import Ocr
from redaction.pdfio import save
from redaction.report import PageReport, Report
from redaction.specs import Packet, PacketSpec, Part, Provenance
from redaction.stamp import stamp_lines, stamp_pages
from redaction.verify import verify

PAGE = (612.0, 792.0)
MARGIN = 72.0
BODY_SIZE = 11.0
TITLE_SIZE = 16.0
LEADING = 1.35


def assemble(
    parts: Sequence[Part],
    spec: PacketSpec,
    *,
    limits: Limits | None = None,
    ocr: Ocr | None = None,
) -> Packet:
    """Redact each part by its plan (each verified), put the cover sheet and notice pages first,
    merge the parts in order, stamp every page (Bates numbers continuous), and verify again."""
    redacted = [redact_with_terms(p.pdf, p.plan, limits=limits, ocr=ocr) for p in parts]
    marker = b"%roi-own " + secrets.token_hex(16).encode()
    doc = pikepdf.new()
    provenance: list[Provenance] = []
    reports: list[PageReport] = []
    for text_page in _generated_texts(parts, [r.report.pages for r, _ in redacted], spec):
        _add_text_page(doc, text_page)
        reports.append(PageReport(page=len(reports), source_page=None))
        provenance.append("generated")
    sources = [pikepdf.open(_bytes_io(r.pdf)) for r, _ in redacted]
    try:
        for part_index, ((part, _), src) in enumerate(zip(redacted, sources, strict=True)):
            doc.pages.extend(src.pages)
            for page_report in part.report.pages:
                provenance.append((part_index, page_report.source_page or 0))
                reports.append(replace(page_report, page=len(reports)))
        stamp_pages(doc, spec.stamp, first=0, marker=marker)
        out = save(doc)
    finally:
        for src in sources:
            src.close()
    terms = sorted({t for _, ts in redacted for t in ts})
    ignore = {i: stamp_lines(spec.stamp, i) for i in range(len(provenance))}
    result = verify(out, terms, {}, ignore_text=ignore, exempt_marker=marker)
    raise_if_failed(result)
    report = Report(
        pages=tuple(reports),
        dropped_pages=(),
        scrubbed=tuple(sorted({s for r, _ in redacted for s in r.report.scrubbed})),
        verification=result,
        sha256=hashlib.sha256(out).hexdigest(),
    )
    return Packet(
        pdf=out,
        report=report,
        provenance=tuple(provenance),
        bates_first=spec.stamp.bates(0),
        bates_last=spec.stamp.bates(len(provenance) - 1),
    )


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _generated_texts(
    parts: Sequence[Part], part_pages: Sequence[Sequence[PageReport]], spec: PacketSpec
) -> list[tuple[str, list[str]]]:
    """(title, body lines) of the cover sheet and of each notice, one entry per output page."""
    pages: list[tuple[str, list[str]]] = []
    width = PAGE[0] - 2 * MARGIN
    if spec.cover:
        body = [line for text in spec.cover_lines for line in wrap(text, width, BODY_SIZE)]
        body.append("")
        for i, part in enumerate(parts):
            label = part.label or f"Document {i + 1}"
            body.extend(wrap(f"{i + 1}. {label}: {len(part_pages[i])} page(s)", width, BODY_SIZE))
        pages.extend(_paginate(spec.title, body))
    for notice in spec.notices:
        pages.extend(_paginate("Notice", wrap(notice, width, BODY_SIZE)))
    return pages


def _paginate(title: str, lines: list[str]) -> list[tuple[str, list[str]]]:
    per_page = int((PAGE[1] - 2 * MARGIN - 2 * TITLE_SIZE) / (BODY_SIZE * LEADING))
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    return [(title, chunk) for chunk in chunks]


def _add_text_page(doc: pikepdf.Pdf, text_page: tuple[str, list[str]]) -> None:
    title, lines = text_page
    y = PAGE[1] - MARGIN
    ops = [b"0 g\n", show(title, MARGIN, y, "F2", TITLE_SIZE)]
    y -= 2 * TITLE_SIZE
    for line in lines:
        if line:
            ops.append(show(line, MARGIN, y, "F1", BODY_SIZE))
        y -= BODY_SIZE * LEADING
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font_dict(FONT), F2=font_dict(BOLD)))
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, *PAGE]),
        Resources=resources,
        Contents=doc.make_stream(b"".join(ops)),
    )
    doc.pages.append(pikepdf.Page(page))
