"""Findings and decisions: what every check returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from contracts.reasons import Severity, reason


class Outcome(StrEnum):
    """Where a decision sends a request (DESIGN.md states)."""

    ALLOWED = "allowed"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed (or flagged) rule. ``subject`` is a safe identifier (a document id, a clause)."""

    code: str
    rule_id: str
    severity: Severity
    message: str
    citation: str
    subject: str | None = None


def finding(code: str, subject: str | None = None) -> Finding:
    """A finding for ``code``, with its rule, severity and message from the reason table."""
    entry = reason(code)
    return Finding(code, entry.rule_id, entry.severity, entry.message, entry.citation, subject)


@dataclass(frozen=True, slots=True)
class Decision:
    """``allowed`` is true only when no finding blocks or holds; warnings do not stop anything."""

    allowed: bool
    findings: tuple[Finding, ...] = ()

    @property
    def outcome(self) -> Outcome:
        severities = {f.severity for f in self.findings}
        if Severity.BLOCK in severities:
            return Outcome.REJECTED
        if Severity.HOLD in severities:
            return Outcome.ON_HOLD
        return Outcome.ALLOWED

    @property
    def on_hold(self) -> bool:
        return self.outcome is Outcome.ON_HOLD

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)


def decide(findings: Iterable[Finding]) -> Decision:
    """The decision that ``findings`` imply: any block or hold means not allowed."""
    found = tuple(findings)
    stopping = {Severity.BLOCK, Severity.HOLD}
    return Decision(allowed=not any(f.severity in stopping for f in found), findings=found)
