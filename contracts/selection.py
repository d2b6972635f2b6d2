"""Which documents a release may include, each with its reasons (AUTH-06, AUTH-08, LEG-01,
LEG-04, P2-01..03, ST-01, ST-02), and the notices the included ones require."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.access import AccessRequest
from contracts.authorization import PARENTAL_SIGNERS, Authorization
from contracts.basis import Basis, basis_scope, signer_kind
from contracts.decision import Finding, finding
from contracts.documents import DocumentRef
from contracts.legal_process import CourtOrder, Subpoena
from contracts.part2 import Part2Consent, check_part2
from contracts.site_rules import SensitiveCategory, SiteRules
from contracts.terms import INDIVIDUAL_KINDS, Recipient

PART2_CONSENT_COPY = "part2_consent_copy"


@dataclass(frozen=True, slots=True)
class DocumentDecision:
    """One document: included or not, the reasons, and the ids of notices it requires."""

    document_id: str
    included: bool
    reasons: tuple[Finding, ...] = ()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SelectionContext:
    basis: Basis | None
    recipient: Recipient
    on: date
    part2_consent: Part2Consent | None
    rules: SiteRules


def _scope_reasons(doc: DocumentRef, ctx: SelectionContext) -> list[Finding]:
    if isinstance(ctx.basis, CourtOrder):
        return [] if ctx.basis.names(doc) else [finding("COURT_ORDER_ITEM_NOT_NAMED", doc.id)]
    scope = basis_scope(ctx.basis)
    if scope is None:
        return []
    found = []
    if not scope.covers_type(doc.document_type):
        found.append(finding("SCOPE_DOCUMENT_TYPE", doc.id))
    if doc.service_date not in scope.dates:
        found.append(finding("SCOPE_DATE", doc.id))
    return found


def _pn_reasons(doc: DocumentRef, ctx: SelectionContext) -> list[Finding]:
    """AUTH-06 (and LEG-04 for subpoenas): only a PN-specific, uncompounded authorization."""
    if not doc.is_psychotherapy_note:
        return []
    if isinstance(ctx.basis, Authorization) and ctx.basis.covers_psychotherapy_notes:
        return []
    return [finding("PN_EXCLUDED", doc.id)]


def _part2(doc: DocumentRef, ctx: SelectionContext) -> tuple[list[Finding], list[str]]:
    """P2-01..03 and LEG-04; an included consent-based disclosure gets the P2-02 notices."""
    basis, consent = ctx.basis, ctx.part2_consent
    if not doc.is_part2:
        return [], []
    if isinstance(basis, AccessRequest) and ctx.recipient.kind in INDIVIDUAL_KINDS:
        return [], []  # 42 CFR 2.23: to the patient themselves
    legal = basis if isinstance(basis, Subpoena | CourtOrder) else None
    order = isinstance(legal, CourtOrder) and legal.part2_order
    against = legal is not None and legal.proceedings_against_patient
    decision = check_part2(consent, on=ctx.on, against_patient=against, part2_court_order=order)
    if decision.allowed:
        return [], ([] if order else [ctx.rules.part2_notice.id, PART2_CONSENT_COPY])
    reasons = [replace(f, subject=doc.id) for f in decision.findings]
    if legal is not None and consent is None:
        reasons = [finding("LEGAL_PROCESS_P2_EXCLUDED", doc.id)] + [
            f for f in reasons if f.code != "P2_CONSENT_REQUIRED"
        ]
    return reasons, []


def _category(
    doc: DocumentRef, cat: SensitiveCategory, ctx: SelectionContext
) -> tuple[list[Finding], list[str]]:
    """ST-01: a state-sensitive category needs its special release and adds its notice."""
    if cat.label not in doc.effective_labels or ctx.recipient.kind in cat.exempt_recipients:
        return [], []
    basis = ctx.basis
    released = isinstance(basis, Authorization) and cat.release in basis.special_releases
    ordered = isinstance(basis, CourtOrder) and cat.label in basis.special_categories
    if released or ordered:
        return [], [cat.notice] if cat.notice else []
    return [finding(cat.exclusion_code, doc.id)], []


def _minor_reasons(doc: DocumentRef, ctx: SelectionContext) -> list[Finding]:
    """ST-02: a parent or guardian cannot release what the minor consented to alone."""
    if doc.is_minor_consented and signer_kind(ctx.basis) in PARENTAL_SIGNERS:
        return [finding("MINOR_CONSENTED_EXCLUDED", doc.id)]
    return []


def select_document(doc: DocumentRef, ctx: SelectionContext) -> DocumentDecision:
    reasons = _scope_reasons(doc, ctx) + _pn_reasons(doc, ctx) + _minor_reasons(doc, ctx)
    part2_reasons, notices = _part2(doc, ctx)
    reasons += part2_reasons
    for cat in ctx.rules.categories_on(ctx.on):
        cat_reasons, cat_notices = _category(doc, cat, ctx)
        reasons += cat_reasons
        notices += cat_notices
    included = not reasons
    return DocumentDecision(doc.id, included, tuple(reasons), tuple(notices) if included else ())
