"""Subpoenas, court orders and qualified protective orders (45 CFR 164.512(e); LEG-01..04)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from contracts.decision import Decision, Finding, decide, finding
from contracts.documents import DocumentRef
from contracts.terms import DateRange, NamedRecipient, Scope


class RequestType(StrEnum):
    """The kind of request a legal instrument makes (ST-04 attestation rules key on it)."""

    JUDICIAL = "judicial"
    LAW_ENFORCEMENT = "law_enforcement"
    OVERSIGHT = "oversight"
    CORONER = "coroner"


class Objections(StrEnum):
    NONE = "none"
    RESOLVED = "resolved"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class QualifiedProtectiveOrder:
    """LEG-03: valid only with both clauses."""

    prohibits_use_outside_litigation: bool
    requires_return_or_destruction: bool

    @property
    def valid(self) -> bool:
        return self.prohibits_use_outside_litigation and self.requires_return_or_destruction


@dataclass(frozen=True, slots=True)
class NoticeAssurance:
    """LEG-02(a): evidence that the individual was told of the subpoena and could object.

    The objection period has passed on the day after ``objection_deadline``.
    """

    notice_copy: bool
    proof_of_mailing: bool
    objection_deadline: date
    objections: Objections = Objections.NONE


@dataclass(frozen=True, slots=True)
class Subpoena:
    """A subpoena or discovery request not signed by a judge (one that is, is a court order)."""

    requesting_party: NamedRecipient
    scope: Scope = field(default_factory=Scope)
    assurance: NoticeAssurance | None = None
    qpo: QualifiedProtectiveOrder | None = None
    proceedings_against_patient: bool = False
    request_type: RequestType = RequestType.JUDICIAL
    attestations: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One item a court order expressly names: a document id, or a type within dates."""

    document_type: str = ""
    dates: DateRange = field(default_factory=DateRange)
    document_id: str = ""

    def names(self, doc: DocumentRef) -> bool:
        if self.document_id:
            return self.document_id == doc.id
        return self.document_type == doc.document_type and doc.service_date in self.dates


@dataclass(frozen=True, slots=True)
class CourtOrder:
    """A court order. ``part2_order``: it makes the 42 CFR 2.64/2.65 findings;
    ``special_categories``: state-sensitive labels (``hiv``) it makes the state-law findings for."""

    recipient: NamedRecipient
    items: tuple[OrderItem, ...]
    part2_order: bool = False
    special_categories: frozenset[str] = frozenset()
    proceedings_against_patient: bool = False
    request_type: RequestType = RequestType.JUDICIAL
    attestations: frozenset[str] = frozenset()

    def names(self, doc: DocumentRef) -> bool:
        """LEG-01: does the order expressly name this document?"""
        return any(item.names(doc) for item in self.items)


LegalProcess = Subpoena | CourtOrder


def check_qpo(qpo: QualifiedProtectiveOrder) -> Decision:
    """LEG-03: a QPO missing either clause is ``QPO_INVALID``."""
    return decide([] if qpo.valid else [finding("QPO_INVALID")])


def _assurance_findings(assurance: NoticeAssurance, on: date) -> list[Finding]:
    present = {"notice_copy": assurance.notice_copy, "proof_of_mailing": assurance.proof_of_mailing}
    found = [finding(f"SUBPOENA_ASSURANCE_INCOMPLETE:{k}") for k, ok in present.items() if not ok]
    if on <= assurance.objection_deadline:
        found.append(finding("SUBPOENA_OBJECTION_PERIOD_OPEN"))
    if assurance.objections is Objections.PENDING:
        found.append(finding("SUBPOENA_OBJECTION_PENDING"))
    return found


def _subpoena_findings(subpoena: Subpoena, on: date) -> list[Finding]:
    """LEG-02: satisfied by a complete notice assurance or by a valid QPO; else held."""
    routes: list[list[Finding]] = []
    if subpoena.assurance is not None:
        routes.append(_assurance_findings(subpoena.assurance, on))
    if subpoena.qpo is not None:
        routes.append(list(check_qpo(subpoena.qpo).findings))
    if not routes:
        return [finding("SUBPOENA_ASSURANCE_MISSING")]
    if any(not route for route in routes):
        return []
    return [f for route in routes for f in route]


def check_legal_process(process: LegalProcess, *, on: date) -> Decision:
    """LEG-02..04 for the instrument itself; per-document rules (LEG-01, the exclusions of
    LEG-04) are applied by ``decide_release``. A subpoena always gets the minimum-necessary
    reviewer step (``SUBPOENA_MN_REVIEW``)."""
    if isinstance(process, CourtOrder):
        return decide([])
    return decide([*_subpoena_findings(process, on), finding("SUBPOENA_MN_REVIEW")])
