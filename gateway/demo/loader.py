"""Load the synthetic demo data into an empty database: staff, a requester organisation and its
user, a copy-service vendor with an active BAA, and two patients with a few record PDFs each
(uploaded through the record service, so each is checked by the engine in the PDF pool).
Credentials are returned to the caller (the CLI prints them once), never logged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import BaaClause, VendorFunction
from gateway.auth import create_user
from gateway.auth.models import User
from gateway.demo.records import DEMO_RECORDS, DemoPatient, render_baa, render_document
from gateway.pdfpool import PdfPool
from gateway.releases.patients import Identifier, NewPatient, PatientService
from gateway.releases.records import PDF_TYPE, NewRecord, RecordService
from kernel.blobs import BlobStore
from kernel.clock import Clock
from vendors import BaaTerms, NewVendor, SignedDocument, VendorService

log = structlog.get_logger()

DEMO_ORGANISATION = "Hargrove & Pike LLP (synthetic)"
HOSPITAL = "Riverside General Hospital (synthetic)"
DEMO_VENDOR = "Copperline Copy Services (synthetic)"
DEMO_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DEMO_USERS = (
    ("admin@demo.roi.invalid", "admin", None),
    ("specialist@demo.roi.invalid", "specialist", None),
    ("attorney@demo.roi.invalid", "attorney", DEMO_ORGANISATION),
)


@dataclass(frozen=True, slots=True)
class DemoCredential:
    email: str
    role: str
    one_time_password: str
    totp_uri: str


async def database_is_empty(session: AsyncSession) -> bool:
    count = await session.scalar(select(func.count()).select_from(User))
    return not count


async def load_demo(
    session: AsyncSession,
    *,
    blobs: BlobStore,
    clock: Clock,
    pdf_pool: PdfPool,
    max_upload_bytes: int = DEMO_MAX_UPLOAD_BYTES,
) -> list[DemoCredential]:
    """Create the demo accounts, the demo vendor and the demo patients with their records in
    the caller's transaction (the record PDFs are checked in ``pdf_pool``)."""
    credentials = []
    admin_id = None
    for email, role, organisation in DEMO_USERS:
        new = await create_user(
            session, email=email, role=role, organisation=organisation, clock=clock
        )
        admin_id = admin_id or new.user.id
        credentials.append(DemoCredential(email, role, new.one_time_password, new.totp_uri))
    assert admin_id is not None  # noqa: S101 - DEMO_USERS starts with the admin
    await _load_vendor(VendorService(session, blobs=blobs, clock=clock), admin_id, clock)
    records = RecordService(
        session, blobs=blobs, pdf_pool=pdf_pool, clock=clock, max_bytes=max_upload_bytes
    )
    record_count = await _load_patients(PatientService(session, clock=clock), records, admin_id)
    log.info(
        "demo.loaded",
        user_count=len(credentials),
        vendor_count=1,
        patient_count=len(DEMO_RECORDS),
        record_count=record_count,
    )
    return credentials


async def _load_patients(
    patients: PatientService, records: RecordService, admin_id: uuid.UUID
) -> int:
    actor, count = f"user:{admin_id}", 0
    others = [p for p, _ in DEMO_RECORDS]
    for demo, documents in DEMO_RECORDS:
        patient = await patients.register(_new_patient(demo), by=admin_id, actor=actor)
        other = next(p for p in others if p is not demo)
        for document in documents:
            pdf = render_document(demo, document, other=other)
            new = NewRecord(
                pdf, PDF_TYPE, document.document_type, document.service_date, document.labels
            )
            await records.upload(patient.id, new, by=admin_id, actor=actor)
            count += 1
    return count


def _new_patient(demo: DemoPatient) -> NewPatient:
    identifiers = (Identifier("ssn", demo.ssn), Identifier("phone", demo.phone))
    return NewPatient(demo.mrn, demo.family_name, demo.given_name, demo.birth_date, identifiers)


async def _load_vendor(service: VendorService, admin_id: uuid.UUID, clock: Clock) -> None:
    vendor = await service.register_vendor(
        NewVendor(name=DEMO_VENDOR, kind=VendorFunction.COPY), by=admin_id
    )
    effective = clock.now().date() - timedelta(days=365)
    terms = BaaTerms(
        covered_entity=HOSPITAL,
        business_associate=DEMO_VENDOR,
        effective_on=effective,
        ends_on=effective + timedelta(days=3 * 365),
        functions=frozenset({VendorFunction.COPY}),
        clauses=frozenset(BaaClause),
        breach_notice_days=30,
    )
    document = SignedDocument(render_baa(DEMO_VENDOR, HOSPITAL, effective), "application/pdf")
    await service.upload_baa(vendor.id, terms, document, by=admin_id)
