"""``redact``: find -> remove glyphs -> paint -> scrub -> save -> verify (fail closed)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import pikepdf

from redaction.errors import PlanMismatch, VerificationFailed
from redaction.find import PageFinds, find_on_page
from redaction.geometry import Rect
from redaction.limits import DEFAULT_LIMITS, Deadline, Limits
from redaction.ocr import Ocr
from redaction.ocr_pages import ocr_leaks, ocr_page
from redaction.pdfio import open_pdf, open_pdfium, preflight_streams, save
from redaction.plan import Plan
from redaction.remove import Remover
from redaction.report import Check, PageReport, Report, VerifyReport
from redaction.scrub import flatten_forms, has_form_content, scrub
from redaction.specs import Redacted
from redaction.verify import verify as verify_pdf

REMOVE_MARGIN = 0.5


def redact(
    pdf: bytes,
    plan: Plan,
    *,
    limits: Limits | None = None,
    ocr: Ocr | None = None,
    verify: bool = True,
) -> Redacted:
    """Redact ``pdf`` by ``plan``; the output is verified before it is returned.

    Raises :class:`~redaction.errors.VerificationFailed` rather than return unverified bytes
    (unless ``verify=False``, the benchmark's unverified mode).
    """
    redacted, _terms = redact_with_terms(pdf, plan, limits=limits, ocr=ocr, verify=verify)
    return redacted


def redact_with_terms(
    pdf: bytes,
    plan: Plan,
    *,
    limits: Limits | None = None,
    ocr: Ocr | None = None,
    verify: bool = True,
) -> tuple[Redacted, list[str]]:
    """:func:`redact`, also returning the strings verified absent (for a packet's re-check)."""
    lim = limits or DEFAULT_LIMITS
    deadline = Deadline(lim.max_seconds)
    source, flattened = prepare(pdf, lim)
    finds = locate(source, plan, ocr, deadline)
    out, pages, scrubbed = rewrite(source, plan, finds, lim, deadline)
    scrubbed = tuple(sorted({*scrubbed, *flattened}))
    kept = [i for i in range(len(finds)) if i not in set(plan.drop_pages)]
    rects = {n: finds[src].all_rects() for n, src in enumerate(kept) if finds[src].rects}
    terms = verification_terms(plan, finds)
    result: VerifyReport | None = None
    if verify:
        deadline.check()
        # pypdf (slow) re-reads the pages that had matches; PDFium and the object walk read all.
        result = verify_pdf(out, terms, rects, pypdf_pages=rects.keys())
        if ocr is not None:
            result = _with_ocr_check(result, out=out, finds=finds, kept=kept, ocr=ocr, terms=terms)
        raise_if_failed(result)
    report = Report(
        pages=tuple(pages),
        dropped_pages=tuple(sorted(set(plan.drop_pages))),
        scrubbed=scrubbed,
        verification=result,
        sha256=hashlib.sha256(out).hexdigest(),
    )
    return Redacted(pdf=out, report=report), terms


def _with_ocr_check(
    result: VerifyReport,
    *,
    out: bytes,
    finds: Sequence[PageFinds],
    kept: Sequence[int],
    ocr: Ocr,
    terms: Sequence[str],
) -> VerifyReport:
    """Re-OCR the output pages whose source matched by OCR: the terms must be unreadable."""
    pages = [n for n, src in enumerate(kept) if finds[src].ocr and finds[src].rects]
    failed = ocr_leaks(out, pages, ocr, terms)
    return VerifyReport(checks=(*result.checks, Check("ocr-text", not failed, tuple(failed))))


def raise_if_failed(result: VerifyReport) -> None:
    failure = result.first_failure()
    if failure is not None:
        page, checker = failure
        raise VerificationFailed(page=page, checker=checker)


def verification_terms(plan: Plan, finds: Sequence[PageFinds]) -> list[str]:
    """The plan's terms and every string a detector matched (in memory only)."""
    found = {s for page in finds for s in page.found}
    return sorted(set(plan.terms) | found)


def prepare(pdf: bytes, limits: Limits) -> tuple[bytes, tuple[str, ...]]:
    """Open under limits, decode-check every stream, and when needed (encryption with an empty
    password, form fields) re-save a decrypted copy with widgets flattened into the content."""
    with open_pdf(pdf, limits) as doc:
        preflight_streams(doc)
        forms = has_form_content(doc) or "/AcroForm" in doc.Root
        if not (doc.is_encrypted or forms):
            return pdf, ()
        if forms:
            flatten_forms(doc)
        return save(doc), ("AcroForm",) if forms else ()


def locate(source: bytes, plan: Plan, ocr: Ocr | None, deadline: Deadline) -> list[PageFinds]:
    """Find every match on every page (PDFium, plus OCR where given), and the reviewer boxes."""
    finds: list[PageFinds] = []
    with open_pdfium(source) as doc:
        for index in range(len(doc)):
            deadline.check()
            page = doc[index]
            textpage = page.get_textpage()
            try:
                page_finds = find_on_page(textpage, plan)
                if ocr is not None:
                    ocr_page(page, ocr, plan, page_finds)
            finally:
                textpage.close()
                page.close()
            finds.append(page_finds)
    _add_boxes(finds, plan)
    return finds


def _add_boxes(finds: list[PageFinds], plan: Plan) -> None:
    for box in plan.boxes:
        if box.page >= len(finds):
            raise PlanMismatch("a box names a page the document does not have", page=box.page)
        finds[box.page].add("box", [box.rect])
    for page in plan.drop_pages:
        if page >= len(finds):
            raise PlanMismatch("a dropped page does not exist", page=page)


def rewrite(
    source: bytes, plan: Plan, finds: Sequence[PageFinds], limits: Limits, deadline: Deadline
) -> tuple[bytes, list[PageReport], tuple[str, ...]]:
    """Remove glyphs, paint images and boxes, scrub, drop pages and save."""
    dropped = set(plan.drop_pages)
    reports: list[PageReport] = []
    with open_pdf(source, limits) as doc:
        fonts: dict[tuple[int, int], object] = {}
        for index, page in enumerate(doc.pages):
            deadline.check()
            if index in dropped:
                continue
            report = _redact_page(doc, page, finds[index], fonts)
            reports.append(replace(report, page=len(reports), source_page=index))
        scrubbed = scrub(doc)
        for index in sorted(dropped, reverse=True):
            del doc.pages[index]
        return save(doc), reports, scrubbed


def _redact_page(
    doc: pikepdf.Pdf,
    page: pikepdf.Page,
    finds: PageFinds,
    fonts: dict[tuple[int, int], object],
) -> PageReport:
    rects = finds.all_rects()
    glyphs = painted = 0
    if rects:
        remover = Remover(doc, [r.padded(REMOVE_MARGIN) for r in rects], fonts=fonts)
        outcome = remover.page(page)
        glyphs, painted = outcome.glyphs_removed, outcome.images_painted
        paint_boxes(doc, page, rects, unclosed=outcome.unclosed)
    return PageReport(
        page=0,
        source_page=None,
        counts=dict(finds.counts),
        rects={k: tuple(v) for k, v in finds.rects.items()},
        glyphs_removed=glyphs,
        images_painted=painted,
        ocr=finds.ocr,
    )


def paint_boxes(
    doc: pikepdf.Pdf, page: pikepdf.Page, rects: Sequence[Rect], *, unclosed: int = 0
) -> None:
    """Draw opaque black boxes over ``rects`` on top of the page content, in default user
    space: the content is wrapped in q/Q, and any q it left open is closed first."""
    ops = "".join(f"{r.x0:.2f} {r.y0:.2f} {r.x1 - r.x0:.2f} {r.y1 - r.y0:.2f} re\n" for r in rects)
    closing = "Q\n" * (unclosed + 1)
    page.contents_add(doc.make_stream(b"q\n"), prepend=True)
    page.contents_add(doc.make_stream(f"\n{closing}q 0 0 0 rg 0 0 0 RG\n{ops}f\nQ\n".encode()))
