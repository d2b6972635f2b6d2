"""Terms shared by several instruments: date ranges, scope, recipients and vendor functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from contracts.errors import InvalidInstrument


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive on both ends; an open end is ``None``."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInstrument("date range ends before it starts")

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        after_start = self.start is None or self.start <= day
        return after_start and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a legal basis covers: document types (empty = all types) and service dates."""

    document_types: frozenset[str] = frozenset()
    dates: DateRange = field(default_factory=DateRange)

    def covers_type(self, document_type: str) -> bool:
        return not self.document_types or document_type in self.document_types


class VendorFunction(StrEnum):
    """The work a vendor does for the hospital; each is also a recipient kind."""

    COPY = "copy"
    TRANSCRIPTION = "transcription"
    SCANNING = "scanning"
    STORAGE = "storage"
    MAILING = "mailing"
    REDACTION = "redaction"


class RecipientKind(StrEnum):
    PATIENT = "patient"
    PERSONAL_REPRESENTATIVE = "personal_representative"
    ATTORNEY = "attorney"
    INSURER = "insurer"
    PATIENT_DESIGNEE = "patient_designee"
    PROVIDER = "provider"
    COURT = "court"
    AGENCY = "agency"
    COPY = "copy"
    TRANSCRIPTION = "transcription"
    SCANNING = "scanning"
    STORAGE = "storage"
    MAILING = "mailing"
    REDACTION = "redaction"


VENDOR_KINDS: frozenset[RecipientKind] = frozenset(RecipientKind(f.value) for f in VendorFunction)
INDIVIDUAL_KINDS: frozenset[RecipientKind] = frozenset(
    {RecipientKind.PATIENT, RecipientKind.PERSONAL_REPRESENTATIVE}
)


@dataclass(frozen=True, slots=True)
class NamedRecipient:
    """The recipient as named on an instrument: a name, and an e-mail and/or postal address."""

    name: str
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who the release actually goes to, and where it is delivered."""

    kind: RecipientKind
    name: str
    email: str | None = None
    address: str | None = None

    @property
    def is_vendor(self) -> bool:
        return self.kind in VENDOR_KINDS

    @property
    def vendor_function(self) -> VendorFunction | None:
        return VendorFunction(self.kind.value) if self.is_vendor else None


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().casefold()


def _channel_ok(named: str | None, actual: str | None, other_named: str | None, same: bool) -> bool:
    """A delivery channel is fine if unused, named and equal, or if nothing at all was named."""
    if not actual:
        return True
    if named:
        return same
    return not other_named


def recipient_matches(named: NamedRecipient, actual: Recipient) -> bool:
    """AUTH-08: same name; delivery e-mail in the named domain, delivery address the named one.

    A delivery channel the instrument does not name (e-mail when only a postal address is
    named) does not match; an instrument naming no destination at all matches on the name.
    """
    if _norm(named.name) != _norm(actual.name):
        return False
    same_domain = bool(named.email and actual.email) and _domain(named.email or "") == _domain(
        actual.email or ""
    )
    same_address = bool(named.address and actual.address) and _norm(named.address or "") == _norm(
        actual.address or ""
    )
    email_ok = _channel_ok(named.email, actual.email, named.address, same_domain)
    return email_ok and _channel_ok(named.address, actual.address, named.email, same_address)
