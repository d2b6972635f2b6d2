"""The legal basis of a release: which instrument, whom it names, what it covers, and how the
disclosure is accounted for (AOD-01, AOD-02)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from contracts.access import AccessRequest, Directive, check_directive
from contracts.authorization import Authorization, Demographics, SignerKind, authorization_findings
from contracts.decision import Finding
from contracts.legal_process import CourtOrder, Subpoena, check_legal_process
from contracts.terms import NamedRecipient, Scope
from contracts.tpo import TpoRequest, check_minimum_necessary

Basis = Authorization | Directive | AccessRequest | Subpoena | CourtOrder | TpoRequest


class AccountingCategory(StrEnum):
    LEGAL_PROCESS = "legal_process"
    AUTHORIZATION = "authorization"
    TO_INDIVIDUAL = "to_individual"
    TPO = "tpo"


@dataclass(frozen=True, slots=True)
class AccountingClass:
    """Whether a disclosure goes into the accounting of disclosures (164.528), and why."""

    category: AccountingCategory
    accounting_exempt: bool
    rule_id: str


def classify_accounting(basis: Basis | None) -> AccountingClass:
    """AOD-01: 164.512 disclosures (subpoena, court order) are accounted for. AOD-02:
    authorization, TPO (a vendor working under a BAA included) and to-individual disclosures
    (access requests and directives) are exempt but still audited."""
    if isinstance(basis, Subpoena | CourtOrder):
        return AccountingClass(AccountingCategory.LEGAL_PROCESS, False, "AOD-01")
    if isinstance(basis, Authorization):
        category = AccountingCategory.AUTHORIZATION
    elif isinstance(basis, AccessRequest | Directive):
        category = AccountingCategory.TO_INDIVIDUAL
    else:
        category = AccountingCategory.TPO
    return AccountingClass(category, True, "AOD-02")


def named_recipient(basis: Basis) -> NamedRecipient | None:
    """Whom the instrument names as recipient (an access request names the individual)."""
    if isinstance(basis, Authorization | Directive):
        return basis.recipient
    if isinstance(basis, Subpoena):
        return basis.requesting_party
    if isinstance(basis, CourtOrder):
        return basis.recipient
    if isinstance(basis, TpoRequest):
        return basis.requester
    return None


def basis_scope(basis: Basis | None) -> Scope | None:
    """The scope by type and dates; a court order names items instead (``None`` here)."""
    if basis is None or isinstance(basis, CourtOrder):
        return None
    return basis.scope


def signer_kind(basis: Basis | None) -> SignerKind | None:
    """Who signed for the patient, where the instrument says (ST-02 looks for parents)."""
    if isinstance(basis, Authorization):
        return basis.signer.kind
    if isinstance(basis, AccessRequest):
        return basis.requested_by
    return None


def basis_findings(basis: Basis, *, on: date, mpi: Demographics | None = None) -> list[Finding]:
    """The instrument's own check on the release date."""
    if isinstance(basis, Authorization):
        return authorization_findings(basis, on=on, mpi=mpi)
    if isinstance(basis, Directive):
        return list(check_directive(basis).findings)
    if isinstance(basis, Subpoena | CourtOrder):
        return list(check_legal_process(basis, on=on).findings)
    if isinstance(basis, TpoRequest):
        return list(check_minimum_necessary(basis).findings)
    return []
