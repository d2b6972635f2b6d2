"""Builders of patients, source records and releases for tests: synthetic people, real PDFs.

Until the intake and records services land, tests make their rows here (blob first, then row).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from pypdf import PdfReader, PdfWriter
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.demo.records import DEMO_DOCUMENTS, DEMO_PATIENT, DemoDocument, DemoPatient
from gateway.demo.records import render_document as render
from gateway.releases.models import Patient, Release, SourceRecord
from kernel.blobs import BlobStore

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
STAFF = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
ED_NOTE, LABS, PSYCHOTHERAPY = DEMO_DOCUMENTS[0], DEMO_DOCUMENTS[1], DEMO_DOCUMENTS[2]
OTHER_PATIENT = DemoPatient(
    mrn="MRN-733901",
    family_name="Quennell-Marsh",
    given_name="Tobias",
    birth_date=date(1974, 11, 2),
    ssn="523-61-4478",
    phone="(555) 018-8807",
)


def demo_patient(**overrides: Any) -> DemoPatient:
    """The demo patient with a fresh MRN by default (MRNs are unique per database)."""
    values: dict[str, Any] = {"mrn": f"MRN-{uuid.uuid4().int % 10**6:06d}"}
    return replace(DEMO_PATIENT, **(values | overrides))


def record_pdf(patient: DemoPatient, document: DemoDocument = ED_NOTE, pages: int = 2) -> bytes:
    return render(patient, document, pages=pages)


def misfiled_pdf(patient: DemoPatient, other: DemoPatient, document: DemoDocument = LABS) -> bytes:
    """Page 1 of ``patient``'s record, then a page of ``other``'s (a misfiled page)."""
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(render(patient, document, pages=1))).pages[0])
    writer.add_page(PdfReader(io.BytesIO(render(other, document, pages=1))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


async def create_patient(session: AsyncSession, patient: DemoPatient) -> Patient:
    row = Patient(
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        birth_date=patient.birth_date,
        identifiers=[
            {"kind": "ssn", "value": patient.ssn},
            {"kind": "phone", "value": patient.phone},
        ],
        created_at=NOW,
        created_by=STAFF,
    )
    session.add(row)
    await session.flush()
    return row


async def create_record(
    session: AsyncSession,
    blobs: BlobStore,
    patient: Patient,
    pdf: bytes,
    *,
    document: DemoDocument = ED_NOTE,
) -> SourceRecord:
    stored = await blobs.put(pdf, content_type="application/pdf", prefix="records")
    row = SourceRecord(
        patient_id=patient.id,
        document_type=document.document_type,
        service_date=document.service_date,
        labels=sorted(document.labels),
        blob_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        page_count=page_count(pdf),
        check={},
        created_at=NOW,
        created_by=STAFF,
    )
    session.add(row)
    await session.flush()
    return row


async def create_release(
    session: AsyncSession, patient: Patient, *, state: str = "assembling", **overrides: Any
) -> Release:
    fields: dict[str, Any] = {
        "reference": f"R{uuid.uuid4().hex[:8].upper()}",
        "kind": "request",
        "state": state,
        "patient_id": patient.id,
        "recipient": {"kind": "attorney", "name": "Synthetic Law LLP", "address": "1 Example Way"},
        "basis_type": "authorization",
        "purpose": "litigation",
        "due_on": date(2027, 1, 3),
        "opened_by": STAFF,
        "created_at": NOW,
        "updated_at": NOW,
    }
    release = Release(**(fields | overrides))
    session.add(release)
    await session.flush()
    return release
