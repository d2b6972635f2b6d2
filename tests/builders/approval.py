"""Builders for the approval queue: patients, requester organisations and releases waiting in
review with a packet, written directly as rows (synthetic data only)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.basis import classify_accounting
from contracts.decision import finding
from gateway.auth.models import Organisation
from gateway.releases.basis import load_basis
from gateway.releases.checking import finding_json
from gateway.releases.models import Packet, Patient, Release

TODAY = date(2026, 11, 27)  # the day of tests.fixtures.auth.START
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SYSTEM = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


async def create_patient(
    session: AsyncSession,
    *,
    mrn: str | None = None,
    family_name: str = "Synthetic",
    given_name: str = "Pat",
    birth_date: date = date(1970, 1, 2),
) -> Patient:
    patient = Patient(
        mrn=mrn or f"SYN{uuid.uuid4().int % 10**8:08d}",
        family_name=family_name,
        given_name=given_name,
        birth_date=birth_date,
        identifiers=[],
        created_at=NOW,
        created_by=SYSTEM,
    )
    session.add(patient)
    await session.flush()
    return patient


async def create_organisation(session: AsyncSession, kind: str = "attorney") -> Organisation:
    org = Organisation(
        name=f"{kind.title()} {uuid.uuid4().hex[:8]} (synthetic)", kind=kind, created_at=NOW
    )
    session.add(org)
    await session.flush()
    return org


def authorization(**fields: Any) -> dict[str, Any]:
    """``releases.basis`` of an authorization as intake stores it (``basis.dump_basis``)."""
    stored: dict[str, Any] = {
        "type": "authorization",
        "expiration_date": (TODAY + timedelta(days=180)).isoformat(),
    }
    return stored | fields


def default_basis(basis_type: str) -> dict[str, Any]:
    if basis_type == "authorization":
        return authorization()
    return {} if basis_type == "none" else {"type": basis_type}


def accounting_of(basis: dict[str, Any]) -> dict[str, Any]:
    """What the check step stores (gateway.releases.checking): contracts' accounting class; none
    for a basis that does not load (tests of broken bases)."""
    try:
        typed = load_basis(dict(basis)).to_domain(TODAY) if basis else None
    except msgspec.ValidationError:
        return {}
    found = classify_accounting(typed)
    return {
        "category": found.category.value,
        "accounting_exempt": found.accounting_exempt,
        "rule_id": found.rule_id,
        "reviewer_note_required": False,
    }


def packet_row(release: Release, version: int = 1, *, verified: bool = True) -> Packet:
    return Packet(
        release_id=release.id,
        version=version,
        blob_key=f"packets/{uuid.uuid4().hex}",
        sha256="a" * 64,
        size=1024,
        page_count=3,
        bates_first="GH000001",
        bates_last="GH000003",
        provenance=[{"source_record_id": str(uuid.uuid4()), "page": 0}, "generated", "generated"],
        report={"boxes": 4, "pages_redacted": [0], "verified": verified},
        engine_version="test-1",
        verified=verified,
        created_at=NOW,
    )


async def create_release(
    session: AsyncSession,
    *,
    opened_by: uuid.UUID,
    state: str = "in_review",
    patient: Patient | None = None,
    organisation_id: uuid.UUID | None = None,
    vendor_id: uuid.UUID | None = None,
    basis_type: str = "authorization",
    basis: dict[str, Any] | None = None,
    sensitive: bool = False,
    findings: list[dict[str, Any]] | None = None,
    due_on: date | None = None,
    plan_edited_by: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    packet: bool | None = True,
    created_at: datetime = NOW,
    recipient_email: str | None = None,
) -> Release:
    """A release as assembly leaves it: ``in_review`` with a verified packet version 1.
    ``packet=False`` stores an unverified packet; ``packet=None`` none at all."""
    patient = patient or await create_patient(session)
    release = Release(
        reference=f"R-{uuid.uuid4().hex[:10].upper()}",
        kind="work_order" if vendor_id else "request",
        state=state,
        organisation_id=organisation_id,
        vendor_id=vendor_id,
        patient_id=patient.id,
        recipient={
            "kind": "attorney",
            "name": "Synthetic Law LLP",
            "email": recipient_email,
            "address": "1 Synthetic Plaza, Springfield" if recipient_email else None,
        },
        basis_type=basis_type,
        basis=default_basis(basis_type) if basis is None else basis,
        purpose="litigation",
        due_on=due_on or TODAY + timedelta(days=10),
        findings=findings or [],
        # intake's shape (gateway.releases.checking): a left-out document and why
        exclusions=[
            {"document_id": str(uuid.uuid4()), "reasons": [finding_json(finding("PN_EXCLUDED"))]}
        ],
        accounting=accounting_of(default_basis(basis_type) if basis is None else basis),
        sensitive=sensitive,
        opened_by=opened_by,
        plan_edited_by=plan_edited_by,
        assignee_id=assignee_id,
        packet_version=1 if packet is not None else 0,
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(release)
    await session.flush()
    if packet is not None:
        session.add(packet_row(release, verified=packet))
        await session.flush()
    return release
