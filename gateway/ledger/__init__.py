"""The disclosure ledger: append-only, hash-chained, idempotent; the accounting of disclosures.

Every step of a release writes here, in the same transaction as the change it records.
"""

from __future__ import annotations

from gateway.ledger.chain import Anchor, Break, BreakReason, Verification
from gateway.ledger.entry import Disclosure, NewEntry
from gateway.ledger.errors import HeadMoved, IdempotencyConflict, InvalidEntry, LedgerError
from gateway.ledger.models import LedgerEntry, LedgerHead
from gateway.ledger.service import (
    AccountingLine,
    accounting_for_patient,
    accounting_window,
    append,
    verify,
    verify_paged,
)
from gateway.ledger.trail import Trail, TrailEntry, release_trail

__all__ = [
    "AccountingLine",
    "Anchor",
    "Break",
    "BreakReason",
    "Disclosure",
    "HeadMoved",
    "IdempotencyConflict",
    "InvalidEntry",
    "LedgerEntry",
    "LedgerError",
    "LedgerHead",
    "NewEntry",
    "Trail",
    "TrailEntry",
    "Verification",
    "accounting_for_patient",
    "accounting_window",
    "append",
    "release_trail",
    "verify",
    "verify_paged",
]
