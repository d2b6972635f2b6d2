"""Wire schemas of the accounting of disclosures and the ledger views (responses only)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from gateway.ledger import AccountingLine, Trail, TrailEntry, Verification
from gateway.releases.accounting import Accounting


class DisclosureOut(msgspec.Struct):
    """One line of the accounting: the 164.528(b)(2) fields (AOD-01) and the exemption flag."""

    seq: int
    entry_id: uuid.UUID
    release_id: uuid.UUID | None
    disclosed_on: date
    recipient_name: str
    recipient_address: str | None
    address_unknown: bool
    description: str
    purpose: str | None
    request_ref: str | None
    accounting_exempt: bool

    @classmethod
    def of(cls, line: AccountingLine) -> DisclosureOut:
        return cls(
            seq=line.seq,
            entry_id=line.entry_id,
            release_id=line.release_id,
            disclosed_on=line.disclosed_on,
            recipient_name=line.recipient_name,
            recipient_address=line.recipient_address,
            address_unknown=line.address_unknown,
            description=line.description,
            purpose=line.purpose,
            request_ref=line.request_ref,
            accounting_exempt=line.accounting_exempt,
        )


class AccountingOut(msgspec.Struct):
    """The accounting of one patient. The patient's name and MRN are not repeated here (the
    caller asked by id); they are printed inside the PDF."""

    patient_id: uuid.UUID
    since: date
    until: date
    include_exempt: bool
    generated_at: datetime
    disclosures: list[DisclosureOut]

    @classmethod
    def of(cls, accounting: Accounting) -> AccountingOut:
        return cls(
            patient_id=accounting.patient.patient_id,
            since=accounting.window.since,
            until=accounting.window.until,
            include_exempt=accounting.include_exempt,
            generated_at=accounting.generated_at,
            disclosures=[DisclosureOut.of(line) for line in accounting.lines],
        )


class BreakOut(msgspec.Struct):
    seq: int
    reason: str  # the stable code, e.g. HASH_MISMATCH
    message: str


class VerificationOut(msgspec.Struct):
    ok: bool
    entries: int
    first_break: BreakOut | None

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        broken = result.broken
        first = None
        if broken is not None:
            first = BreakOut(broken.seq, broken.reason.name, broken.reason.value)
        return cls(ok=result.ok, entries=result.entries, first_break=first)


class TrailEntryOut(msgspec.Struct):
    seq: int
    occurred_at: datetime
    event_type: str
    actor_id: str
    discloses: bool
    chain_verified: bool

    @classmethod
    def of(cls, entry: TrailEntry) -> TrailEntryOut:
        return cls(
            entry.seq,
            entry.occurred_at,
            entry.event_type,
            entry.actor_id,
            entry.discloses,
            entry.chain_verified,
        )


class ReleaseLedgerOut(msgspec.Struct):
    release_id: uuid.UUID
    entries: list[TrailEntryOut]
    chain: VerificationOut

    @classmethod
    def of(cls, release_id: uuid.UUID, trail: Trail) -> ReleaseLedgerOut:
        entries = [TrailEntryOut.of(entry) for entry in trail.entries]
        return cls(release_id, entries, VerificationOut.of(trail.chain))
