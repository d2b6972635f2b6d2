"""Wire schemas of the vendor and BAA API: explicit allowlists (R26). Unknown fields are refused,
so no client can set a status, findings, versions or who created a record."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from contracts import BaaClause, VendorFunction
from vendors import BaaTerms, BaaView, ComplianceRow, Contact, NewVendor, VendorView
from vendors.models import BaaVersion, Vendor

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Kind = Literal["copy", "transcription", "scanning", "storage", "mailing", "redaction"]
Clause = Literal[
    "permitted_uses",
    "safeguards",
    "reporting",
    "subcontractor_flow_down",
    "individual_rights",
    "hhs_access",
    "return_destroy",
    "termination",
]


class ContactIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    email: Short | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    role: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class VendorIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: Kind
    contacts: Annotated[list[ContactIn], msgspec.Meta(max_length=20)] = []
    subcontractors: Annotated[list[Name], msgspec.Meta(max_length=50)] = []

    def to_domain(self) -> NewVendor:
        contacts = tuple(Contact(c.name, c.email, c.phone, c.role) for c in self.contacts)
        return NewVendor(self.name, VendorFunction(self.kind), contacts, tuple(self.subcontractors))


class BaaTermsIn(msgspec.Struct, forbid_unknown_fields=True):
    """The terms part of a BAA upload or amendment (a JSON document in the ``terms`` field)."""

    covered_entity: Name
    business_associate: Name
    effective_on: date
    clauses: Annotated[list[Clause], msgspec.Meta(max_length=8)]
    functions: Annotated[list[Kind], msgspec.Meta(max_length=6)] = []
    ends_on: date | None = None
    breach_notice_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] | None = None
    subcontractors: Annotated[list[Name], msgspec.Meta(max_length=50)] = []

    def to_domain(self) -> BaaTerms:
        return BaaTerms(
            covered_entity=self.covered_entity,
            business_associate=self.business_associate,
            effective_on=self.effective_on,
            functions=frozenset(VendorFunction(f) for f in self.functions),
            clauses=frozenset(BaaClause(c) for c in self.clauses),
            ends_on=self.ends_on,
            breach_notice_days=self.breach_notice_days,
            subcontractors=tuple(self.subcontractors),
        )


class TerminationIn(msgspec.Struct, forbid_unknown_fields=True):
    terminated_on: date
    reason: Reason


class FindingOut(msgspec.Struct):
    code: str
    rule_id: str
    severity: str
    message: str
    citation: str
    subject: str | None = None


class ContactOut(msgspec.Struct):
    name: str
    email: str | None = None
    phone: str | None = None
    role: str | None = None


class VendorOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: str
    contacts: list[ContactOut]
    subcontractors: list[str]
    created_at: datetime

    @classmethod
    def of(cls, vendor: Vendor) -> VendorOut:
        contacts = [ContactOut(**c) for c in vendor.contacts]
        return cls(
            vendor.id, vendor.name, vendor.kind, contacts, vendor.subcontractors, vendor.created_at
        )


class VersionOut(msgspec.Struct):
    id: uuid.UUID
    version: int
    effective_on: date
    ends_on: date | None
    document_sha256: str
    created_at: datetime
    created_by: uuid.UUID

    @classmethod
    def of(cls, row: BaaVersion) -> VersionOut:
        return cls(
            row.id,
            row.version,
            row.effective_on,
            row.ends_on,
            row.document_sha256,
            row.created_at,
            row.created_by,
        )


class TerminationOut(msgspec.Struct):
    terminated_on: date
    reason: str
    created_at: datetime
    created_by: uuid.UUID


class BaaOut(msgspec.Struct):
    id: uuid.UUID
    vendor_id: uuid.UUID
    agreement_id: uuid.UUID
    version: int
    current: bool
    status: str
    status_on: date
    covered_entity: str
    business_associate: str
    effective_on: date
    ends_on: date | None
    functions: list[str]
    clauses: list[str]
    breach_notice_days: int | None
    subcontractors: list[str]
    document_sha256: str
    document_size: int
    findings: list[FindingOut]
    checked_on: date
    created_at: datetime
    created_by: uuid.UUID
    termination: TerminationOut | None = None
    history: list[VersionOut] = []

    @classmethod
    def of(cls, view: BaaView) -> BaaOut:
        row, ended = view.row, view.termination
        return cls(
            id=row.id,
            vendor_id=row.vendor_id,
            agreement_id=row.agreement_id,
            version=row.version,
            current=view.is_current,
            status=view.status.value,
            status_on=view.as_of,
            covered_entity=row.covered_entity,
            business_associate=row.business_associate,
            effective_on=row.effective_on,
            ends_on=row.ends_on,
            functions=row.functions,
            clauses=row.clauses,
            breach_notice_days=row.breach_notice_days,
            subcontractors=row.subcontractors,
            document_sha256=row.document_sha256,
            document_size=row.document_size,
            findings=[FindingOut(**f) for f in row.findings],
            checked_on=row.checked_on,
            created_at=row.created_at,
            created_by=row.created_by,
            termination=TerminationOut(
                ended.terminated_on, ended.reason, ended.created_at, ended.created_by
            )
            if ended
            else None,
            history=[VersionOut.of(v) for v in view.history],
        )


class VendorDetailOut(msgspec.Struct):
    vendor: VendorOut
    baas: list[BaaOut]

    @classmethod
    def of(cls, view: VendorView) -> VendorDetailOut:
        return cls(VendorOut.of(view.vendor), [BaaOut.of(b) for b in view.baas])


class ComplianceOut(msgspec.Struct):
    vendor_id: uuid.UUID
    vendor_name: str
    kind: str
    as_of: date
    may_receive_phi: bool
    baa_id: uuid.UUID | None
    baa_status: str
    findings: list[FindingOut]

    @classmethod
    def of(cls, row: ComplianceRow) -> ComplianceOut:
        findings = [
            FindingOut(f.code, f.rule_id, f.severity.value, f.message, f.citation, f.subject)
            for f in row.decision.findings
        ]
        return cls(
            vendor_id=row.vendor.id,
            vendor_name=row.vendor.name,
            kind=row.vendor.kind,
            as_of=row.as_of,
            may_receive_phi=row.decision.allowed,
            baa_id=row.baa.id if row.baa else None,
            baa_status=row.baa.status.value if row.baa else "missing",
            findings=findings,
        )
