"""What the registry answers: BAA versions with their derived status, and the compliance view."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts import Baa, BaaClause, BaaStatus, Decision, Finding, VendorFunction
from vendors.models import BaaTermination, BaaVersion, Vendor


def finding_to_json(found: Finding) -> dict[str, Any]:
    return {
        "code": found.code,
        "rule_id": found.rule_id,
        "severity": found.severity.value,
        "message": found.message,
        "citation": found.citation,
        "subject": found.subject,
    }


def contract_of(row: BaaVersion, termination: BaaTermination | None) -> Baa:
    """The contracts BAA type for a stored version (and its agreement's termination)."""
    return Baa(
        covered_entity=row.covered_entity,
        business_associate=row.business_associate,
        effective_on=row.effective_on,
        functions=frozenset(VendorFunction(f) for f in row.functions),
        clauses=frozenset(BaaClause(c) for c in row.clauses),
        ends_on=row.ends_on,
        terminated_on=termination.terminated_on if termination else None,
        breach_notice_days=row.breach_notice_days,
        subcontractors=tuple(row.subcontractors),
    )


@dataclass(frozen=True, slots=True)
class BaaView:
    """A stored version, its status on ``as_of``, its termination and (on request) history."""

    row: BaaVersion
    status: BaaStatus
    as_of: date
    termination: BaaTermination | None
    is_current: bool
    history: tuple[BaaVersion, ...] = ()

    @property
    def id(self) -> uuid.UUID:
        return self.row.id


@dataclass(frozen=True, slots=True)
class VendorView:
    vendor: Vendor
    baas: tuple[BaaView, ...]


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """Can the vendor receive PHI for its own kind of work on ``as_of``, and if not, why not."""

    vendor: Vendor
    as_of: date
    decision: Decision
    baa: BaaView | None


@dataclass(frozen=True, slots=True)
class ExpiringBaa:
    """For the expiry notice: vendor names and end dates only (no PHI)."""

    baa_id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    ends_on: date
