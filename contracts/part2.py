"""42 CFR Part 2 consent (2.31) and the rules for Part 2 records (P2-01, P2-03)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from contracts.decision import Decision, Finding, decide, finding


class Part2Element(StrEnum):
    """Elements of a 42 CFR 2.31 consent; each has its ``P2_CONSENT_MISSING_ELEMENT:`` code."""

    PATIENT_NAME = "patient_name"
    DISCLOSER = "discloser"
    DESCRIPTION = "description"
    RECIPIENT = "recipient"
    PURPOSE = "purpose"
    REVOCATION_STATEMENT = "revocation_statement"
    EXPIRATION = "expiration"
    SIGNATURE = "signature"
    SIGNATURE_DATE = "signature_date"


@dataclass(frozen=True, slots=True)
class Part2Consent:
    """A Part 2 consent: the 2.31 elements it contains, its dates, and whether the patient
    consented to use of the records in proceedings against them (2.32 Statement 1)."""

    elements: frozenset[Part2Element]
    expiration_date: date | None = None
    expiration_event_occurred: bool = False
    revoked_on: date | None = None
    permits_proceedings_against_patient: bool = False


def _consent_findings(consent: Part2Consent, on: date) -> list[Finding]:
    found = [
        finding(f"P2_CONSENT_MISSING_ELEMENT:{e}")
        for e in Part2Element
        if e not in consent.elements
    ]
    expired = consent.expiration_date is not None and consent.expiration_date < on
    if expired or consent.expiration_event_occurred:
        found.append(finding("P2_CONSENT_EXPIRED"))
    if consent.revoked_on is not None and consent.revoked_on <= on:
        found.append(finding("P2_CONSENT_REVOKED"))
    return found


def check_part2(
    consent: Part2Consent | None,
    *,
    on: date,
    against_patient: bool = False,
    part2_court_order: bool = False,
) -> Decision:
    """May Part 2 records be disclosed on ``on``?

    P2-01: a consent with every 2.31 element, unexpired and unrevoked; a HIPAA authorization alone
    does not count (``P2_CONSENT_REQUIRED``). P2-03: for proceedings against the patient, only the
    patient's consent to that use or a 2.64/2.65 court order. A 2.64/2.65 order stands in for the
    consent.
    """
    if part2_court_order:
        return decide([])
    found = [finding("P2_CONSENT_REQUIRED")] if consent is None else _consent_findings(consent, on)
    if against_patient and not (consent and consent.permits_proceedings_against_patient):
        found.append(finding("P2_PROCEEDINGS_AGAINST_PATIENT"))
    return decide(found)
