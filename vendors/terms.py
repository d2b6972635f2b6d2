"""What callers hand the registry: a new vendor and a BAA's terms, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contracts import Baa, BaaClause, VendorFunction
from vendors.errors import BaaTermsInvalid


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class NewVendor:
    name: str
    kind: VendorFunction
    contacts: tuple[Contact, ...] = ()
    subcontractors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BaaTerms:
    """A BAA's terms as the signed paper states them (the clauses ticked by the person who read
    it). ``functions`` empty means: the vendor's own kind."""

    covered_entity: str
    business_associate: str
    effective_on: date
    functions: frozenset[VendorFunction]
    clauses: frozenset[BaaClause]
    ends_on: date | None = None
    breach_notice_days: int | None = None
    subcontractors: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.effective_on:
            raise BaaTermsInvalid("BAA ends before it takes effect", field="ends_on")

    def to_contract(self, *, terminated_on: date | None = None) -> Baa:
        return Baa(
            covered_entity=self.covered_entity,
            business_associate=self.business_associate,
            effective_on=self.effective_on,
            functions=self.functions,
            clauses=self.clauses,
            ends_on=self.ends_on,
            terminated_on=terminated_on,
            breach_notice_days=self.breach_notice_days,
            subcontractors=self.subcontractors,
        )
