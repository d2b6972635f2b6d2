"""Synthetic medical-record PDFs for the demo patient, made with reportlab.

Invented people and numbers only. The pages carry the identifiers a real record would (name,
MRN, date of birth, SSN, phone) so the redaction and identity checks have something to do.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

LEFT, TOP, LINE = 72, 720, 16


@dataclass(frozen=True, slots=True)
class DemoPatient:
    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    ssn: str
    phone: str


@dataclass(frozen=True, slots=True)
class DemoDocument:
    """``foreign_page`` (1-based) is a misfiled page: it carries the OTHER demo patient's header,
    so the identity check of an assembly has something to catch (``FOREIGN_PAGE``)."""

    title: str
    document_type: str
    service_date: date
    labels: frozenset[str]
    body: tuple[str, ...]
    foreign_page: int | None = None


DEMO_PATIENT = DemoPatient(
    mrn="MRN-400117",
    family_name="Okonkwo-Halvorsen",
    given_name="Ann",
    birth_date=date(1961, 3, 14),
    ssn="412-55-0193",
    phone="(555) 014-2231",
)

SECOND_PATIENT = DemoPatient(
    mrn="MRN-400245",
    family_name="Brightwater-Lund",
    given_name="Teodor",
    birth_date=date(1978, 11, 2),
    ssn="523-61-0447",
    phone="(555) 014-7780",
)

DEMO_DOCUMENTS = (
    DemoDocument(
        "Emergency department note",
        "clinical_note",
        date(2026, 2, 9),
        frozenset(),
        (
            "Chief complaint: left ankle pain after a fall on ice.",
            "Exam: swelling over the lateral malleolus; distal pulses intact.",
            "Imaging: ankle radiographs show no fracture.",
            "Plan: ankle brace, ice, elevation; follow up with primary care in one week.",
        ),
    ),
    DemoDocument(
        "Laboratory results",
        "lab_result",
        date(2026, 2, 10),
        frozenset(),
        (
            "Complete blood count: within reference ranges.",
            "Basic metabolic panel: sodium 139, potassium 4.1, creatinine 0.9.",
            "Hemoglobin A1c: 5.6 percent.",
        ),
    ),
    DemoDocument(
        "Psychotherapy session note",
        "psychotherapy_note",
        date(2026, 3, 2),
        frozenset({"psychotherapy_note"}),
        (
            "Session focused on coping strategies after the injury.",
            "Patient reports improved sleep since last session.",
        ),
    ),
    DemoDocument(
        "Discharge summary",
        "discharge_summary",
        date(2026, 2, 11),
        frozenset(),
        (
            "Admitted for observation after the fall; discharged home the next day.",
            "Discharge medications: acetaminophen as needed.",
        ),
        foreign_page=2,
    ),
)

SECOND_DOCUMENTS = (
    DemoDocument(
        "Discharge summary",
        "discharge_summary",
        date(2026, 1, 20),
        frozenset(),
        (
            "Admitted with community-acquired pneumonia; treated with oral antibiotics.",
            "Discharged in stable condition; follow up with primary care in two weeks.",
        ),
    ),
    DemoDocument(
        "Laboratory results",
        "lab_result",
        date(2026, 1, 18),
        frozenset(),
        (
            "Chest radiograph: right lower lobe consolidation.",
            "White cell count 13.2; C-reactive protein elevated.",
        ),
    ),
    DemoDocument(
        "Psychotherapy session note",
        "psychotherapy_note",
        date(2026, 2, 3),
        frozenset({"psychotherapy_note"}),
        ("Session on stress after the hospital stay; sleep hygiene discussed.",),
    ),
)

# Each demo patient with their records; a misfiled page carries the other patient's header.
DEMO_RECORDS = ((DEMO_PATIENT, DEMO_DOCUMENTS), (SECOND_PATIENT, SECOND_DOCUMENTS))


def render_document(
    patient: DemoPatient,
    document: DemoDocument,
    pages: int = 2,
    *,
    other: DemoPatient | None = None,
) -> bytes:
    """One synthetic record: a header with the patient's identifiers on every page, except the
    document's ``foreign_page``, which carries ``other``'s (a misfiled page)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=True)
    canvas.setTitle(document.title)
    for page in range(1, pages + 1):
        owner = other if other is not None and page == document.foreign_page else patient
        _header(canvas, owner, document, page)
        y = TOP - 5 * LINE
        canvas.setFont("Times-Roman", 11)
        for line in document.body:
            canvas.drawString(LEFT, y, line)
            y -= LINE
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _header(canvas: Canvas, patient: DemoPatient, document: DemoDocument, page: int) -> None:
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(LEFT, TOP, f"Riverside General Hospital (synthetic) - {document.title}")
    canvas.setFont("Helvetica", 10)
    name = f"{patient.family_name}, {patient.given_name}"
    canvas.drawString(LEFT, TOP - LINE, f"Patient: {name}    MRN: {patient.mrn}")
    canvas.drawString(
        LEFT,
        TOP - 2 * LINE,
        f"DOB: {patient.birth_date:%m/%d/%Y}    SSN: {patient.ssn}    Phone: {patient.phone}",
    )
    canvas.drawString(
        LEFT, TOP - 3 * LINE, f"Service date: {document.service_date:%Y-%m-%d}    Page {page}"
    )


def render_baa(vendor: str, covered_entity: str, effective_on: date) -> bytes:
    """A one-page synthetic Business Associate Agreement signature page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=True)
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(LEFT, TOP, "Business Associate Agreement (synthetic demo)")
    canvas.setFont("Helvetica", 10)
    lines = (
        f"Covered entity: {covered_entity}",
        f"Business associate: {vendor}",
        f"Effective date: {effective_on:%Y-%m-%d}",
        "The parties agree to the terms required by 45 CFR 164.504(e)(2).",
        "Signed for both parties (demo data; no real signature).",
    )
    for number, line in enumerate(lines, start=2):
        canvas.drawString(LEFT, TOP - number * LINE, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
