"""The legal basis of a request as typed JSON fields, one shape per ``basis_type``, and its
``contracts`` instrument.

The same shapes are the wire input (API v1) and what ``releases.basis`` stores, so a re-check at
approval or delivery rebuilds the very instrument that intake checked (:func:`load_basis`). A
missing element of an instrument is not a shape error: it is left empty and ``contracts`` reports
it as a finding (``AUTH_MISSING_ELEMENT:expiration``). Unknown fields, wrong types and oversized
values are shape errors (400 with a reason code). Fields only staff set later (a reviewer's
minimum-necessary note, extensions, the received date) are not part of the input.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec

from contracts import (
    AccessRequest,
    Authorization,
    AuthStatement,
    Basis,
    CourtOrder,
    DateRange,
    Demographics,
    Directive,
    NamedRecipient,
    NoticeAssurance,
    Objections,
    OrderItem,
    QualifiedProtectiveOrder,
    RequestType,
    Scope,
    Signer,
    SignerKind,
    Subpoena,
    TpoPurpose,
    TpoRequest,
)

Text = Annotated[str, msgspec.Meta(max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Line = Annotated[str, msgspec.Meta(max_length=500)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
Codes = Annotated[list[Code], msgspec.Meta(max_length=20)]
DocumentType = Code
SignerKindIn = Literal["patient", "parent", "guardian", "personal_representative"]
StatementIn = Literal["revocation_right", "conditioning", "redisclosure"]
RequestTypeIn = Literal["judicial", "law_enforcement", "oversight", "coroner"]


class Strict(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Unknown fields are refused, so no client can set what only the server may (R26)."""


class ScopeIn(Strict):
    """Document types (empty: every type) and service dates, inclusive."""

    document_types: Annotated[list[DocumentType], msgspec.Meta(max_length=50)] = []
    start: date | None = None
    end: date | None = None

    def to_domain(self) -> Scope:
        return Scope(frozenset(self.document_types), DateRange(self.start, self.end))


class NamedRecipientIn(Strict):
    name: Line
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    address: Line | None = None

    def to_domain(self) -> NamedRecipient:
        return NamedRecipient(self.name, self.email, self.address)


class SignerIn(Strict):
    kind: SignerKindIn = "patient"
    authority_description: Line = ""
    authority_document_attached: bool = False


class DemographicsIn(Strict):
    """The patient as written on the instrument: ``name`` as "Given Family"."""

    name: Name
    birth_date: date


class AuthorizationIn(Strict, tag_field="type", tag="authorization"):
    description: Text = ""
    discloser: Line = ""
    recipient: NamedRecipientIn | None = None
    purpose: Line = ""
    signer: SignerIn = msgspec.field(default_factory=SignerIn)
    signed: bool = False
    signature_date: date | None = None
    expiration_date: date | None = None
    expiration_event: Line = ""
    expiration_event_occurred: bool = False
    statements: Annotated[list[StatementIn], msgspec.Meta(max_length=3)] = []
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)
    psychotherapy_notes: bool = False
    compounded: bool = False
    revoked_on: date | None = None
    special_releases: Codes = []
    patient: DemographicsIn | None = None

    def to_domain(self, received_on: date) -> Authorization:
        signer = self.signer
        return Authorization(
            description=self.description,
            discloser=self.discloser,
            recipient=self.recipient.to_domain() if self.recipient else None,
            purpose=self.purpose,
            signer=Signer(
                SignerKind(signer.kind),
                signer.authority_description,
                signer.authority_document_attached,
            ),
            signed=self.signed,
            signature_date=self.signature_date,
            expiration_date=self.expiration_date,
            expiration_event=self.expiration_event,
            expiration_event_occurred=self.expiration_event_occurred,
            statements=frozenset(AuthStatement(s) for s in self.statements),
            scope=self.scope.to_domain(),
            psychotherapy_notes=self.psychotherapy_notes,
            compounded=self.compounded,
            revoked_on=self.revoked_on,
            special_releases=frozenset(self.special_releases),
            patient=Demographics(self.patient.name, self.patient.birth_date)
            if self.patient
            else None,
        )


class DirectiveIn(Strict, tag_field="type", tag="directive"):
    written: bool = False
    signed_by_individual: bool = False
    recipient: NamedRecipientIn | None = None
    electronic_copy: bool = False
    ehr_only: bool = False
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)

    def to_domain(self, received_on: date) -> Directive:
        return Directive(
            written=self.written,
            signed_by_individual=self.signed_by_individual,
            recipient=self.recipient.to_domain() if self.recipient else None,
            electronic_copy=self.electronic_copy,
            ehr_only=self.ehr_only,
            scope=self.scope.to_domain(),
        )


class AccessRequestIn(Strict, tag_field="type", tag="access_request"):
    requested_by: SignerKindIn = "patient"
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)

    def to_domain(self, received_on: date) -> AccessRequest:
        return AccessRequest(received_on, SignerKind(self.requested_by), self.scope.to_domain())


class AssuranceIn(Strict):
    notice_copy: bool
    proof_of_mailing: bool
    objection_deadline: date
    objections: Literal["none", "resolved", "pending"] = "none"


class QpoIn(Strict):
    prohibits_use_outside_litigation: bool
    requires_return_or_destruction: bool


class SubpoenaIn(Strict, tag_field="type", tag="subpoena"):
    requesting_party: NamedRecipientIn
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)
    assurance: AssuranceIn | None = None
    qpo: QpoIn | None = None
    proceedings_against_patient: bool = False
    request_type: RequestTypeIn = "judicial"
    attestations: Codes = []

    def to_domain(self, received_on: date) -> Subpoena:
        a = self.assurance
        return Subpoena(
            requesting_party=self.requesting_party.to_domain(),
            scope=self.scope.to_domain(),
            assurance=NoticeAssurance(
                a.notice_copy, a.proof_of_mailing, a.objection_deadline, Objections(a.objections)
            )
            if a
            else None,
            qpo=QualifiedProtectiveOrder(
                self.qpo.prohibits_use_outside_litigation, self.qpo.requires_return_or_destruction
            )
            if self.qpo
            else None,
            proceedings_against_patient=self.proceedings_against_patient,
            request_type=RequestType(self.request_type),
            attestations=frozenset(self.attestations),
        )


class OrderItemIn(Strict):
    document_type: Annotated[str, msgspec.Meta(max_length=40)] = ""
    start: date | None = None
    end: date | None = None
    document_id: Annotated[str, msgspec.Meta(max_length=40)] = ""

    def to_domain(self) -> OrderItem:
        return OrderItem(self.document_type, DateRange(self.start, self.end), self.document_id)


class CourtOrderIn(Strict, tag_field="type", tag="court_order"):
    recipient: NamedRecipientIn
    items: Annotated[list[OrderItemIn], msgspec.Meta(min_length=1, max_length=200)]
    part2_order: bool = False
    special_categories: Codes = []
    proceedings_against_patient: bool = False
    request_type: RequestTypeIn = "judicial"
    attestations: Codes = []

    def to_domain(self, received_on: date) -> CourtOrder:
        return CourtOrder(
            recipient=self.recipient.to_domain(),
            items=tuple(i.to_domain() for i in self.items),
            part2_order=self.part2_order,
            special_categories=frozenset(self.special_categories),
            proceedings_against_patient=self.proceedings_against_patient,
            request_type=RequestType(self.request_type),
            attestations=frozenset(self.attestations),
        )


class TpoIn(Strict, tag_field="type", tag="tpo"):
    purpose: Literal["treatment", "payment", "operations"]
    requester: NamedRecipientIn
    complete_record: bool = False
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)

    def to_domain(self, received_on: date) -> TpoRequest:
        return TpoRequest(
            TpoPurpose(self.purpose),
            self.requester.to_domain(),
            self.complete_record,
            self.scope.to_domain(),
        )


BasisIn = AuthorizationIn | DirectiveIn | AccessRequestIn | SubpoenaIn | CourtOrderIn | TpoIn
NEEDS_EVIDENCE = frozenset({"authorization", "directive", "subpoena", "court_order"})


def basis_type(basis: BasisIn | None) -> str:
    """The ``releases.basis_type`` value (``none`` for a work order under the BAA alone)."""
    if basis is None:
        return "none"
    tag = type(basis).__struct_config__.tag
    return str(tag)


def to_instrument(basis: BasisIn | None, *, received_on: date) -> Basis | None:
    """The ``contracts`` instrument; raises ``contracts.InvalidInstrument`` for values no
    instrument can hold (a date range that ends before it starts)."""
    return None if basis is None else basis.to_domain(received_on)


def dump_basis(basis: BasisIn | None) -> dict[str, Any]:
    """What ``releases.basis`` stores (with its ``type`` tag); ``{}`` for none."""
    if basis is None:
        return {}
    stored: dict[str, Any] = msgspec.to_builtins(basis)
    stored["type"] = basis_type(basis)
    return stored


def load_basis(stored: dict[str, Any]) -> BasisIn | None:
    """The typed basis back from ``releases.basis`` (for re-checks)."""
    if not stored:
        return None
    loaded: BasisIn = msgspec.convert(stored, type=BasisIn)
    return loaded
