"""The business associate agreement (45 CFR 164.504(e)) and its checks (BA-01, BA-02)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from contracts.decision import Decision, Finding, decide, finding
from contracts.errors import InvalidInstrument
from contracts.terms import VendorFunction

BREACH_NOTICE_MAX_DAYS = 60
"""164.410(b): a business associate notifies the covered entity within 60 days of discovery."""


class BaaClause(StrEnum):
    """The 164.504(e)(2) items a BAA must contain (BA-02); ``BAA_INCOMPLETE:<value>``."""

    PERMITTED_USES = "permitted_uses"
    SAFEGUARDS = "safeguards"
    REPORTING = "reporting"
    SUBCONTRACTOR_FLOW_DOWN = "subcontractor_flow_down"
    INDIVIDUAL_RIGHTS = "individual_rights"
    HHS_ACCESS = "hhs_access"
    RETURN_DESTROY = "return_destroy"
    TERMINATION = "termination"


class BaaStatus(StrEnum):
    INCOMPLETE = "incomplete"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    TERMINATED = "terminated"


@dataclass(frozen=True, slots=True)
class Baa:
    """A BAA's terms as data. In force from ``effective_on`` through ``ends_on`` inclusive
    (open-ended if ``None``); from ``terminated_on`` on, it no longer allows anything."""

    covered_entity: str
    business_associate: str
    effective_on: date
    functions: frozenset[VendorFunction]
    clauses: frozenset[BaaClause]
    ends_on: date | None = None
    terminated_on: date | None = None
    breach_notice_days: int | None = None
    subcontractors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.effective_on:
            raise InvalidInstrument("BAA ends before it takes effect")

    @property
    def missing_clauses(self) -> tuple[BaaClause, ...]:
        return tuple(c for c in BaaClause if c not in self.clauses)


def _date_findings(baa: Baa, on: date) -> list[Finding]:
    if baa.terminated_on is not None and baa.terminated_on <= on:
        return [finding("BAA_TERMINATED")]
    if on < baa.effective_on:
        return [finding("BAA_NOT_YET_EFFECTIVE")]
    if baa.ends_on is not None and baa.ends_on < on:
        return [finding("BAA_EXPIRED")]
    return []


def baa_term_findings(baa: Baa) -> list[Finding]:
    """BA-02: findings about the terms alone, whatever the date."""
    found = [finding(f"BAA_INCOMPLETE:{clause}") for clause in baa.missing_clauses]
    days = baa.breach_notice_days
    if days is None or days > BREACH_NOTICE_MAX_DAYS:
        found.append(finding("BAA_BREACH_NOTICE_DAYS"))
    return found


def check_baa(baa: Baa | None, *, on: date, function: VendorFunction) -> Decision:
    """May the vendor receive PHI for ``function`` on ``on`` under ``baa``? (BA-01, BA-02)."""
    if baa is None:
        return decide([finding("BAA_MISSING")])
    found = baa_term_findings(baa) + _date_findings(baa, on)
    if function not in baa.functions:
        found.append(finding("BAA_FUNCTION_NOT_COVERED", subject=function.value))
    return decide(found)


def baa_status(baa: Baa, *, on: date, expiring_within_days: int = 30) -> BaaStatus:
    """The BAA's status on ``on``: terminated first, then incomplete (it can never be active),
    then by dates; ``expiring`` when it ends within ``expiring_within_days`` days."""
    dated = {f.code for f in _date_findings(baa, on)}
    if "BAA_TERMINATED" in dated:
        return BaaStatus.TERMINATED
    if baa.missing_clauses:
        return BaaStatus.INCOMPLETE
    if "BAA_NOT_YET_EFFECTIVE" in dated:
        return BaaStatus.NOT_YET_EFFECTIVE
    if "BAA_EXPIRED" in dated:
        return BaaStatus.EXPIRED
    if baa.ends_on is not None and (baa.ends_on - on).days <= expiring_within_days:
        return BaaStatus.EXPIRING
    return BaaStatus.ACTIVE
