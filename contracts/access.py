"""The right of access (45 CFR 164.524): due dates and extensions (ACC-01), requests by the
individual, and third-party directives (ACC-05)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from contracts.authorization import SignerKind
from contracts.decision import Decision, Finding, decide, finding
from contracts.terms import NamedRecipient, Scope

ACCESS_DAYS = 30
EXTENSION_MAX_DAYS = 30


@dataclass(frozen=True, slots=True)
class Extension:
    """A written extension letter: when it was made, the new due date, the stated reasons."""

    letter_on: date
    new_due: date
    reasons: str


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A request typed ``individual_access``, by the patient or a personal representative."""

    received_on: date
    requested_by: SignerKind = SignerKind.PATIENT
    scope: Scope = field(default_factory=Scope)
    extensions: tuple[Extension, ...] = ()


def original_due(received_on: date) -> date:
    """ACC-01: received + 30 calendar days."""
    return received_on + timedelta(days=ACCESS_DAYS)


def _extension_findings(received_on: date, extensions: Sequence[Extension]) -> list[Finding]:
    if not extensions:
        return []
    first, *more = extensions
    due = original_due(received_on)
    checks = {
        "ACC_EXTENSION_LATE": first.letter_on > due,
        "ACC_EXTENSION_TOO_LONG": first.new_due > due + timedelta(days=EXTENSION_MAX_DAYS),
        "ACC_EXTENSION_REASON_MISSING": not first.reasons.strip(),
        "ACC_EXTENSION_REPEATED": bool(more),
    }
    return [finding(code) for code, failed in checks.items() if failed]


def check_extensions(received_on: date, extensions: Sequence[Extension]) -> Decision:
    """ACC-01: one extension, by a letter with reasons made within the original 30 days (on the
    due date at the latest, 164.524(b)(2)(ii)), moving the due date by at most 30 days."""
    return decide(_extension_findings(received_on, extensions))


def due_date(received_on: date, extensions: Sequence[Extension] = ()) -> date:
    """The date action on an access request is due: the extended date if the (only) extension
    is valid, else the original due date. A rejected extension does not move the date."""
    if extensions and check_extensions(received_on, extensions).allowed:
        return extensions[0].new_due
    return original_due(received_on)


def check_access_deadline(request: AccessRequest, *, on: date) -> Decision:
    """ACC-01 on a given day: the extension findings, and ``ACC_OVERDUE`` past the due date."""
    found = _extension_findings(request.received_on, request.extensions)
    if on > due_date(request.received_on, request.extensions):
        found.append(finding("ACC_OVERDUE"))
    return decide(found)


class Route(StrEnum):
    DIRECTIVE = "directive"
    AUTHORIZATION = "authorization"


@dataclass(frozen=True, slots=True)
class Directive:
    """An individual's directive to send a copy of their PHI to a third party (ACC-05)."""

    written: bool
    signed_by_individual: bool
    recipient: NamedRecipient | None
    electronic_copy: bool
    ehr_only: bool
    scope: Scope = field(default_factory=Scope)

    @property
    def route(self) -> Route:
        """Honoured as a directive only for electronic copies of PHI in the EHR."""
        return Route.DIRECTIVE if self.electronic_copy and self.ehr_only else Route.AUTHORIZATION


def check_directive(directive: Directive) -> Decision:
    """ACC-05: written, signed by the individual, a named recipient and a destination; other
    than electronic copies of EHR PHI, it is held to be routed as an authorization."""
    named = directive.recipient
    checks = {
        "DIRECTIVE_NOT_WRITTEN": not directive.written,
        "DIRECTIVE_NOT_SIGNED": not directive.signed_by_individual,
        "DIRECTIVE_RECIPIENT_MISSING": named is None or not named.name.strip(),
        "DIRECTIVE_DESTINATION_MISSING": named is None or not (named.email or named.address),
        "DIRECTIVE_ROUTED_AS_AUTHORIZATION": directive.route is Route.AUTHORIZATION,
    }
    return decide(finding(code) for code, failed in checks.items() if failed)
