"""What intake receives, already shaped: a request from a requester (or entered by staff), a
vendor work order, an evidence document, and the idempotency facts of the call."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts import Recipient, Scope, VendorFunction
from gateway.releases.basis import BasisIn, TpoIn
from gateway.releases.request_errors import IdempotencyKeyInvalid

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True, slots=True)
class PatientClaim:
    """The identifiers a requester gives: an MRN and/or family name, given name and birth date."""

    mrn: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    birth_date: date | None = None

    @property
    def has_demographics(self) -> bool:
        return bool(self.family_name and self.given_name and self.birth_date)

    def as_json(self) -> dict[str, Any]:
        return {
            "mrn": self.mrn,
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """The signed document of the basis, as uploaded (PDF or image; never parsed)."""

    data: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class NewRequest:
    patient: PatientClaim
    recipient: Recipient
    basis: BasisIn
    scope: Scope
    purpose: str
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class NewWorkOrder:
    """Records to a vendor working for the hospital, for one function, under its BAA (and a
    TPO basis when the work is for payment or operations)."""

    vendor_id: uuid.UUID
    function: VendorFunction
    patient_id: uuid.UUID
    scope: Scope
    purpose: str
    basis: TpoIn | None = None


@dataclass(frozen=True, slots=True)
class Idempotency:
    """``Idempotency-Key`` of a submission and the SHA-256 of what was submitted."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str | None, fingerprint: str) -> Idempotency | None:
        if key is None:
            return None
        if IDEMPOTENCY_KEY.fullmatch(key) is None:
            raise IdempotencyKeyInvalid("the Idempotency-Key header is not valid")
        return cls(key, fingerprint)
