"""The HIPAA authorization (45 CFR 164.508) and its check (AUTH-01..05, AUTH-07)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from contracts.decision import Decision, Finding, decide, finding
from contracts.terms import NamedRecipient, Scope


class AuthElement(StrEnum):
    """Core elements of 164.508(c)(1); each has its ``AUTH_MISSING_ELEMENT:<value>`` code."""

    DESCRIPTION = "description"
    DISCLOSER = "discloser"
    RECIPIENT = "recipient"
    PURPOSE = "purpose"
    EXPIRATION = "expiration"
    SIGNATURE = "signature"
    SIGNATURE_DATE = "signature_date"


class AuthStatement(StrEnum):
    """Required statements of 164.508(c)(2); each has its ``AUTH_MISSING_STATEMENT:`` code."""

    REVOCATION_RIGHT = "revocation_right"
    CONDITIONING = "conditioning"
    REDISCLOSURE = "redisclosure"


class SignerKind(StrEnum):
    PATIENT = "patient"
    PARENT = "parent"
    GUARDIAN = "guardian"
    PERSONAL_REPRESENTATIVE = "personal_representative"


PARENTAL_SIGNERS: frozenset[SignerKind] = frozenset({SignerKind.PARENT, SignerKind.GUARDIAN})


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed; a representative states their authority and attaches the document."""

    kind: SignerKind = SignerKind.PATIENT
    authority_description: str = ""
    authority_document_attached: bool = False

    @property
    def authority_shown(self) -> bool:
        if self.kind is SignerKind.PATIENT:
            return True
        return bool(self.authority_description.strip()) and self.authority_document_attached


@dataclass(frozen=True, slots=True)
class Demographics:
    """Name and date of birth, as written on an instrument or held in the MPI."""

    name: str
    birth_date: date

    def agrees_with(self, other: Demographics) -> bool:
        same_name = " ".join(self.name.casefold().split()) == " ".join(
            other.name.casefold().split()
        )
        return same_name and self.birth_date == other.birth_date


@dataclass(frozen=True, slots=True)
class Authorization:
    """A HIPAA authorization as typed fields (its signed document is evidence, not parsed).

    ``psychotherapy_notes``: the authorization is specific to psychotherapy notes;
    ``compounded``: it is combined with another, non-psychotherapy-note authorization.
    ``special_releases``: state-approved special forms it is (e.g. ``hiv`` for New York's).
    """

    description: str
    discloser: str
    recipient: NamedRecipient | None
    purpose: str
    signer: Signer
    signed: bool
    signature_date: date | None
    expiration_date: date | None = None
    expiration_event: str = ""
    expiration_event_occurred: bool = False
    statements: frozenset[AuthStatement] = frozenset()
    scope: Scope = field(default_factory=Scope)
    psychotherapy_notes: bool = False
    compounded: bool = False
    revoked_on: date | None = None
    special_releases: frozenset[str] = frozenset()
    patient: Demographics | None = None
    known_false: bool = False

    @property
    def covers_psychotherapy_notes(self) -> bool:
        """AUTH-06: only a psychotherapy-note authorization that is not compounded."""
        return self.psychotherapy_notes and not self.compounded


def _missing_elements(auth: Authorization) -> list[AuthElement]:
    present = {
        AuthElement.DESCRIPTION: bool(auth.description.strip()),
        AuthElement.DISCLOSER: bool(auth.discloser.strip()),
        AuthElement.RECIPIENT: auth.recipient is not None and bool(auth.recipient.name.strip()),
        AuthElement.PURPOSE: bool(auth.purpose.strip()),
        AuthElement.EXPIRATION: auth.expiration_date is not None
        or bool(auth.expiration_event.strip()),
        AuthElement.SIGNATURE: auth.signed,
        AuthElement.SIGNATURE_DATE: auth.signature_date is not None,
    }
    return [element for element, ok in present.items() if not ok]


def is_expired(auth: Authorization, on: date) -> bool:
    """AUTH-02: valid through its expiration date; expired the day after, or once the event
    has occurred."""
    past_date = auth.expiration_date is not None and auth.expiration_date < on
    return past_date or auth.expiration_event_occurred


def is_revoked(auth: Authorization, on: date) -> bool:
    """AUTH-05: a written revocation recorded on or before ``on`` stops releases from then on."""
    return auth.revoked_on is not None and auth.revoked_on <= on


def _false_info(auth: Authorization, mpi: Demographics | None) -> bool:
    conflict = mpi is not None and auth.patient is not None and not auth.patient.agrees_with(mpi)
    return auth.known_false or conflict


def authorization_findings(
    auth: Authorization, *, on: date, mpi: Demographics | None = None
) -> list[Finding]:
    found = [finding(f"AUTH_MISSING_ELEMENT:{e}") for e in _missing_elements(auth)]
    found += [
        finding(f"AUTH_MISSING_STATEMENT:{s}") for s in AuthStatement if s not in auth.statements
    ]
    checks = {
        "AUTH_REP_AUTHORITY": not auth.signer.authority_shown,
        "AUTH_EXPIRED": is_expired(auth, on),
        "AUTH_REVOKED": is_revoked(auth, on),
        "AUTH_FALSE_INFO": _false_info(auth, mpi),
    }
    return found + [finding(code) for code, failed in checks.items() if failed]


def check_authorization(
    auth: Authorization, *, on: date, mpi: Demographics | None = None
) -> Decision:
    """Is ``auth`` a valid authorization on the release date ``on``? (AUTH-01..05, AUTH-07).

    ``mpi`` is the patient as the master patient index knows them; a conflict holds for review.
    Scope and psychotherapy notes (AUTH-06, AUTH-08) are per document: see ``decide_release``.
    """
    return decide(authorization_findings(auth, on=on, mpi=mpi))
