"""The redaction plan of a release, derived from its legal basis, recipient and patient (pure).

- Other patients' identifiers are always redacted: every MRN-labelled number on a page except
  this patient's own (the engine's ``mrn`` detector with a pattern that skips the patient's MRN).
- A third party (anyone but the patient or a personal representative) never gets a Social
  Security number: the ``ssn`` detector, plus the patient's recorded SSNs as terms.
- A de-identified release (``de_identified_safe_harbor``; RULES DEID-01, 164.514(b)(2)) loses the
  Safe Harbor identifiers the engine can find: the patient's names in their usual written forms
  ("Last, First", "First Last", initials with the surname), the date of birth in several formats
  (and every other date, by the ``date`` detector), phone numbers, e-mail addresses, street
  addresses, the MRN and other recorded identifiers.
- Reviewer boxes stay in source-page coordinates (``redaction.Box`` per source record), and
  excluded pages are dropped.

Values in, a :class:`redaction.Plan` out: no database, no clock. Terms are matched by the engine's
term rule (letter and digit runs in order, any separators between them), so "01/02/1970" also
covers "01-02-1970" and "Last, First" also covers "Last First".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from redaction import Box, Plan

INDIVIDUAL_KINDS = frozenset({"patient", "personal_representative"})
FIRST_PARTY_BASES = frozenset({"access_request", "directive"})
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MIN_NAME_TERM = 2  # a one-letter name alone would redact every such letter
ALL_DETECTORS = ("ssn", "phone", "email", "mrn", "date")
MRN_VALUE = r"[A-Z]{0,3}\d{5,12}"
# Identifier kinds (``Patient.identifiers``) that are Safe Harbor identifiers when written out.
SAFE_HARBOR_KINDS = frozenset(
    {"ssn", "phone", "fax", "email", "address", "mrn_other", "account", "health_plan", "license"}
)


@dataclass(frozen=True, slots=True)
class PatientIdentity:
    """What the plan and the identity check know of the patient (synthetic in tests)."""

    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    identifiers: tuple[tuple[str, str], ...] = ()

    def values(self, *kinds: str) -> list[str]:
        return [v for k, v in self.identifiers if k in kinds and v.strip()]


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives the packet, under which basis, and whether it is de-identified."""

    recipient_kind: str
    basis_type: str
    de_identified: bool = False

    @property
    def third_party(self) -> bool:
        first = self.recipient_kind in INDIVIDUAL_KINDS or self.basis_type in FIRST_PARTY_BASES
        return not first


@dataclass(frozen=True, slots=True)
class DocumentPlanInput:
    """Reviewer boxes and excluded pages of one source record."""

    boxes: tuple[Box, ...] = ()
    drop_pages: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """Terms and detectors that apply to every document of the release."""

    terms: tuple[str, ...]
    detectors: tuple[str, ...]
    mrn_pattern: str
    reasons: tuple[str, ...] = field(default=())


def name_forms(given: str, family: str) -> list[str]:
    """The usual written forms of a name: "Last, First", "First Last", "F. Last", "Last, F."."""
    given, family = given.strip(), family.strip()
    if not given or not family:
        return [n for n in (given, family) if n]
    initial = given[0]
    return _unique(
        [
            f"{family}, {given}",
            f"{given} {family}",
            f"{initial}. {family}",
            f"{family}, {initial}.",
        ]
    )


def date_forms(day: date) -> list[str]:
    """A date as people write it: 01/02/1970, 1/2/1970, 01/02/70, 1970-01-02, Jan 2, 1970,
    January 2, 1970, 2 January 1970, 2 Jan 1970 (US month-first order; English month names)."""
    month = MONTHS[day.month - 1]
    short = month[:3]
    return _unique(
        [
            f"{day.month:02d}/{day.day:02d}/{day.year}",
            f"{day.month}/{day.day}/{day.year}",
            f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}",
            f"{day.year}-{day.month:02d}-{day.day:02d}",
            f"{short} {day.day}, {day.year}",
            f"{month} {day.day}, {day.year}",
            f"{day.day} {month} {day.year}",
            f"{day.day} {short} {day.year}",
        ]
    )


def mrn_core(mrn: str) -> list[str]:
    """The forms the MRN detector's value group captures for this MRN ("MRN-400117" is
    written "MRN: MRN-400117" and captured as "400117")."""
    compact = re.sub(r"[^A-Za-z0-9]", "", mrn).upper()
    forms = [compact]
    if compact.startswith("MRN") and compact[3:]:
        forms.append(compact[3:])
    return _unique(forms)


def foreign_mrn_pattern(own_mrn: str) -> str:
    """The engine's MRN detector, except for the patient's own MRN: every other MRN-labelled
    number on a page belongs to someone else and is redacted."""
    own = "|".join(re.escape(f) for f in mrn_core(own_mrn))
    return (
        r"(?<![A-Za-z0-9])MRN[\s:#.-]*"
        rf"(?!(?:{own})(?![0-9]))"
        rf"(?P<value>{MRN_VALUE})(?![0-9])"
    )


def identity_tokens(patient: PatientIdentity) -> list[str]:
    """Tokens that identify the patient on a page (QA-01): MRN, name forms, date of birth."""
    return _unique(
        [
            patient.mrn,
            *name_forms(patient.given_name, patient.family_name),
            *date_forms(patient.birth_date),
        ]
    )


def policy_for(patient: PatientIdentity, audience: Audience) -> Policy:
    """The terms and detectors every document of this release is redacted with."""
    terms: list[str] = []
    detectors: list[str] = ["mrn"]
    reasons = ["other_patients"]
    if audience.third_party:
        detectors.append("ssn")
        terms += patient.values("ssn")
        reasons.append("third_party_ssn")
    if audience.de_identified:
        detectors = list(ALL_DETECTORS)
        terms += _safe_harbor_terms(patient)
        reasons.append("safe_harbor")
    pattern = _deidentified_mrn_pattern() if audience.de_identified else None
    return Policy(
        terms=tuple(_unique(terms)),
        detectors=tuple(d for d in ALL_DETECTORS if d in detectors),
        mrn_pattern=pattern or foreign_mrn_pattern(patient.mrn),
        reasons=tuple(reasons),
    )


def plan_for(policy: Policy, document: DocumentPlanInput) -> Plan:
    """The engine's plan for one source record."""
    return Plan(
        terms=policy.terms,
        detectors=policy.detectors,
        boxes=document.boxes,
        drop_pages=tuple(sorted(set(document.drop_pages))),
        mrn_pattern=policy.mrn_pattern,
    )


def _safe_harbor_terms(patient: PatientIdentity) -> list[str]:
    names = name_forms(patient.given_name, patient.family_name)
    singles = [
        n for n in (patient.family_name, patient.given_name) if len(n.strip()) >= MIN_NAME_TERM
    ]
    return [
        patient.mrn,
        *names,
        *singles,
        *date_forms(patient.birth_date),
        *patient.values(*SAFE_HARBOR_KINDS),
    ]


def _deidentified_mrn_pattern() -> str:
    return rf"(?<![A-Za-z0-9])MRN[\s:#.-]*(?P<value>{MRN_VALUE})(?![0-9])"


def _unique(items: Iterable[str]) -> list[str]:
    return [i for i in dict.fromkeys(s.strip() for s in items) if i]


def boxes_by_record(
    rows: Sequence[tuple[str, int, float, float, float, float]],
) -> dict[str, tuple[Box, ...]]:
    """Reviewer box rows ``(source_record_id, page, x0, y0, x1, y1)`` -> engine boxes."""
    out: dict[str, list[Box]] = {}
    for record_id, page, x0, y0, x1, y1 in rows:
        out.setdefault(record_id, []).append(Box(page, x0, y0, x1, y1))
    return {k: tuple(v) for k, v in out.items()}
