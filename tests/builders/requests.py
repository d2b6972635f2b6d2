"""Builders for patients, source records and request bodies (synthetic data only).

Patients and source records are written straight into the tables (their own service belongs to
another part of the release flow); bodies are the wire forms of API v1.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar

from gateway.releases.models import Patient, SourceRecord
from tests.fixtures.auth import session_maker

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
STAFF = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FIRM = "Doe & Partners LLP (synthetic)"
FIRM_EMAIL = "records@doe-partners.example"
STATEMENTS = ["revocation_right", "conditioning", "redisclosure"]


async def create_patient(
    app: Litestar,
    *,
    mrn: str | None = None,
    family: str = "Testperson",
    given: str = "Alex",
    birth: date = date(1980, 1, 2),
) -> Patient:
    patient = Patient(
        id=uuid.uuid4(),
        mrn=mrn or f"MRN{uuid.uuid4().hex[:8].upper()}",
        family_name=family,
        given_name=given,
        birth_date=birth,
        identifiers=[],
        created_at=NOW,
        created_by=STAFF,
    )
    async with session_maker(app)() as session, session.begin():
        session.add(patient)
    return patient


async def add_record(
    app: Litestar,
    patient: Patient,
    *,
    document_type: str = "progress_note",
    service_date: date = date(2026, 6, 1),
    labels: tuple[str, ...] = (),
) -> SourceRecord:
    record = SourceRecord(
        id=uuid.uuid4(),
        patient_id=patient.id,
        document_type=document_type,
        service_date=service_date,
        labels=list(labels),
        blob_key=f"records/2026/11/{uuid.uuid4().hex}",
        sha256=hashlib.sha256(b"synthetic").hexdigest(),
        size=len(PDF),
        page_count=1,
        check={},
        created_at=NOW,
        created_by=STAFF,
    )
    async with session_maker(app)() as session, session.begin():
        session.add(record)
    return record


def authorization(**overrides: Any) -> dict[str, Any]:
    """A complete, valid HIPAA authorization naming the firm."""
    body: dict[str, Any] = {
        "type": "authorization",
        "description": "All records of treatment in 2026",
        "discloser": "General Hospital (synthetic)",
        "recipient": {"name": FIRM, "email": FIRM_EMAIL},
        "purpose": "personal injury claim",
        "signer": {"kind": "patient"},
        "signed": True,
        "signature_date": (TODAY - timedelta(days=5)).isoformat(),
        "expiration_date": (TODAY + timedelta(days=180)).isoformat(),
        "statements": STATEMENTS,
    }
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


def firm_recipient() -> dict[str, Any]:
    return {"kind": "attorney", "name": FIRM, "email": "paralegal@doe-partners.example"}


def request_body(
    patient: Patient | dict[str, Any],
    basis: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    if isinstance(patient, Patient):
        claim: dict[str, Any] = {"mrn": patient.mrn}
    else:
        claim = patient
    body = {
        "patient": claim,
        "recipient": firm_recipient(),
        "basis": basis or authorization(),
        "purpose": "personal injury claim",
    }
    return {**body, **overrides}


def multipart(
    body: dict[str, Any] | str, evidence: bytes | None = PDF, content_type: str = "application/pdf"
) -> dict[str, Any]:
    """Keyword arguments for the test client's ``post``."""
    raw = body if isinstance(body, str) else json.dumps(body)
    files = {"evidence": ("signed.pdf", evidence, content_type)} if evidence is not None else None
    if files is None:
        return {"files": {"request": (None, raw.encode(), "application/json")}}
    return {"files": files, "data": {"request": raw}}
