"""The accounting of disclosures as a PDF (reportlab): the hospital, the patient, the period, and
one row per disclosure with the 164.528(b)(2) fields.

The patient's name and MRN appear inside the document only (never in its file name, metadata
title or any header). Text is escaped before it reaches reportlab's paragraph markup. DejaVu Sans
(Debian ``fonts-dejavu-core``) is embedded when installed, so names outside Latin-1 print; the
base-14 Helvetica is the fallback. Pure CPU work: callers run it in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gateway.ledger import AccountingLine
from gateway.releases.accounting import Accounting

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
TITLE = "Accounting of disclosures"
CITATION = "45 CFR 164.528"
LABELS = ("Date", "Recipient", "Address", "Description", "Purpose")
WIDTHS = (1.2 * inch, 6.3 * inch)
BLOCK_STYLE = TableStyle(
    [
        ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
EXEMPT_HEADING = (
    "Also recorded, not part of the accounting: disclosures exempt under 45 CFR 164.528(a)(1) "
    "(authorization, treatment, payment or operations, to the individual)"
)


def _fonts() -> tuple[str, str]:
    """The regular and bold font names, registering DejaVu Sans once when it is installed."""
    if DEJAVU.is_file() and DEJAVU_BOLD.is_file():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU_BOLD)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


class _Styles:
    def __init__(self) -> None:
        regular, bold = _fonts()
        self.title = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19)
        self.heading = ParagraphStyle("heading", fontName=bold, fontSize=10.5, leading=14)
        self.body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5)
        self.head_cell = ParagraphStyle("head_cell", fontName=bold, fontSize=8.5, leading=10.5)


def render_accounting_pdf(accounting: Accounting, *, hospital_name: str) -> bytes:
    """The accounting as PDF bytes."""
    styles = _Styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title=TITLE,
        author=hospital_name,
        subject=CITATION,
        creator="ROI Gateway",
    )
    document.build(
        _story(accounting, hospital_name, styles), onFirstPage=_footer, onLaterPages=_footer
    )
    return buffer.getvalue()


def _footer(canvas: Canvas, document: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(
        LETTER[0] - 0.5 * inch, 0.3 * inch, f"{TITLE} - page {canvas.getPageNumber()}"
    )
    canvas.restoreState()


def _story(accounting: Accounting, hospital_name: str, styles: _Styles) -> list[Flowable]:
    accounted = [line for line in accounting.lines if not line.accounting_exempt]
    exempt = [line for line in accounting.lines if line.accounting_exempt]
    story: list[Flowable] = [*_heading(accounting, hospital_name, styles), Spacer(1, 10)]
    story += _section(accounted, styles, empty="No disclosures to account for in this period.")
    if accounting.include_exempt:
        story += [Spacer(1, 14), Paragraph(_text(EXEMPT_HEADING), styles.heading), Spacer(1, 6)]
        story += _section(exempt, styles, empty="None in this period.")
    return story


def _heading(accounting: Accounting, hospital_name: str, styles: _Styles) -> list[Flowable]:
    patient, window = accounting.patient, accounting.window
    generated = accounting.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    accounted = sum(1 for line in accounting.lines if not line.accounting_exempt)
    count = f"Disclosures accounted for: {accounted}"
    if accounting.include_exempt:
        count += f"; exempt disclosures also listed: {len(accounting.lines) - accounted}"
    rows = (
        f"Patient: {patient.family_name}, {patient.given_name}",
        f"MRN: {patient.mrn}",
        f"Date of birth: {patient.birth_date.isoformat()}",
        f"Period: {window.since.isoformat()} to {window.until.isoformat()} (inclusive)",
        f"Prepared: {generated}",
        count,
    )
    return [
        Paragraph(_text(hospital_name), styles.heading),
        Paragraph(_text(f"{TITLE} ({CITATION})"), styles.title),
        Spacer(1, 6),
        *(Paragraph(_text(row), styles.body) for row in rows),
    ]


def _section(lines: list[AccountingLine], styles: _Styles, *, empty: str) -> list[Flowable]:
    """One block per disclosure: a label and its value on each row, so a long value wraps
    inside its own cell and reads (and extracts) in one piece."""
    if not lines:
        return [Paragraph(_text(empty), styles.body)]
    blocks: list[Flowable] = []
    for line in lines:
        rows = [
            [Paragraph(_text(label), styles.head_cell), Paragraph(_text(value), styles.cell)]
            for label, value in zip(LABELS, _cells(line), strict=True)
        ]
        table = Table(rows, colWidths=WIDTHS)
        table.setStyle(BLOCK_STYLE)
        blocks += [KeepTogether([table]), Spacer(1, 6)]
    return blocks


def _cells(line: AccountingLine) -> Iterable[str]:
    address = "Address unknown" if line.address_unknown else (line.recipient_address or "")
    purpose = line.purpose or ""
    if line.request_ref:
        purpose = f"{purpose}\nWritten request: {line.request_ref}".strip()
    return (line.disclosed_on.isoformat(), line.recipient_name, address, line.description, purpose)


def _text(value: str) -> str:
    """Plain text as paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")
