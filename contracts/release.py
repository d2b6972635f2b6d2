"""The combined decision for one release: may these documents go to this recipient, under this
basis, on this date? (BA-01, BA-03, AUTH-08, ST-04, MN-01, LEG-04, plus everything per document.)"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from contracts.access import AccessRequest
from contracts.authorization import Demographics
from contracts.baa import Baa, check_baa
from contracts.basis import (
    AccountingClass,
    Basis,
    basis_findings,
    classify_accounting,
    named_recipient,
)
from contracts.decision import Decision, Finding, Outcome, decide, finding
from contracts.documents import SENSITIVE_LABELS, DocumentRef
from contracts.legal_process import CourtOrder, Subpoena
from contracts.part2 import Part2Consent
from contracts.selection import (
    PART2_CONSENT_COPY,
    DocumentDecision,
    SelectionContext,
    select_document,
)
from contracts.site_rules import SiteRules
from contracts.terms import INDIVIDUAL_KINDS, Recipient, recipient_matches
from contracts.tpo import TpoRequest


@dataclass(frozen=True, slots=True)
class Notice:
    """A page the packet must carry; ``first_pages`` ones go before the records (P2-02)."""

    id: str
    rule_id: str
    title: str
    text: str
    first_pages: bool


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    allowed: bool
    findings: tuple[Finding, ...]
    documents: tuple[DocumentDecision, ...]
    notices: tuple[Notice, ...]
    sensitive: bool
    accounting: AccountingClass
    reviewer_note_required: bool

    @property
    def outcome(self) -> Outcome:
        return Decision(self.allowed, self.findings).outcome

    @property
    def included(self) -> tuple[str, ...]:
        return tuple(d.document_id for d in self.documents if d.included)

    @property
    def excluded(self) -> tuple[DocumentDecision, ...]:
        return tuple(d for d in self.documents if not d.included)


def _recipient_findings(
    basis: Basis | None, recipient: Recipient, baa: Baa | None, on: date
) -> list[Finding]:
    """BA-01 for vendors; BA-03 (a legal basis, never a BAA) for everyone else; AUTH-08."""
    found: list[Finding] = []
    function = recipient.vendor_function
    if function is not None:
        found += check_baa(baa, on=on, function=function).findings
    elif basis is None:
        found.append(finding("LEGAL_BASIS_MISSING"))
    if basis is None:
        return found
    named = named_recipient(basis)
    if isinstance(basis, AccessRequest):
        matches = recipient.kind in INDIVIDUAL_KINDS
    else:
        matches = named is None or recipient_matches(named, recipient)
    return found if matches else [*found, finding("SCOPE_RECIPIENT")]


def _attestation_findings(
    basis: Basis | None, docs: Iterable[DocumentRef], rules: SiteRules, on: date
) -> list[Finding]:
    """ST-04: only site-configured attestations, for legal-process request types."""
    if not isinstance(basis, Subpoena | CourtOrder):
        return []
    labels = frozenset().union(*(d.effective_labels for d in docs))
    return [
        finding("ST_ATTESTATION_REQUIRED", rule.id)
        for rule in rules.attestations_on(on)
        if basis.request_type in rule.request_types
        and rule.label in labels
        and rule.id not in basis.attestations
    ]


def _notices(ids: Iterable[str], rules: SiteRules) -> tuple[Notice, ...]:
    notices: list[Notice] = []
    for notice_id in dict.fromkeys(ids):
        if notice_id == PART2_CONSENT_COPY:
            notices.append(
                Notice(notice_id, "P2-02", "Copy of the patient's Part 2 consent", "", True)
            )
            continue
        text = rules.notices[notice_id]
        first = text.rule_id == "P2-02"
        notices.append(Notice(text.id, text.rule_id, text.title, text.text, first))
    return tuple(sorted(notices, key=lambda n: not n.first_pages))


def _sensitive(
    basis: Basis | None, docs: Iterable[DocumentRef], rules: SiteRules, on: date
) -> bool:
    """DESIGN.md: any sensitive label on an included record, or a subpoena basis."""
    labels = SENSITIVE_LABELS | {c.label for c in rules.categories_on(on)}
    return isinstance(basis, Subpoena) or any(d.effective_labels & labels for d in docs)


def decide_release(
    basis: Basis | None,
    recipient: Recipient,
    documents: Sequence[DocumentRef],
    *,
    on: date,
    site_rules: SiteRules,
    baa: Baa | None = None,
    part2_consent: Part2Consent | None = None,
    mpi: Demographics | None = None,
) -> ReleaseDecision:
    """Decide a release on ``on``. ``basis`` may be ``None`` only for a vendor working for the
    hospital under its BAA. ``mpi`` is the patient per the master patient index (AUTH-07)."""
    ctx = SelectionContext(basis, recipient, on, part2_consent, site_rules)
    decisions = tuple(select_document(doc, ctx) for doc in documents)
    kept_ids = {d.document_id for d in decisions if d.included}
    kept = [doc for doc in documents if doc.id in kept_ids]
    found = _recipient_findings(basis, recipient, baa, on)
    if basis is not None:
        found += basis_findings(basis, on=on, mpi=mpi)
    found += _attestation_findings(basis, kept, site_rules, on)
    verdict = decide(found)
    mn = isinstance(basis, TpoRequest) and basis.needs_justification
    return ReleaseDecision(
        allowed=verdict.allowed,
        findings=verdict.findings,
        documents=decisions,
        notices=_notices((n for d in decisions for n in d.notices), site_rules),
        sensitive=_sensitive(basis, kept, site_rules, on),
        accounting=classify_accounting(basis),
        reviewer_note_required=isinstance(basis, Subpoena) or mn,
    )
