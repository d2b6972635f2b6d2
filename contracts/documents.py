"""Source documents as data: what the rules need to know about a record, never its content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

PSYCHOTHERAPY_NOTE: Final = "psychotherapy_note"
PART2: Final = "part2"
HIV: Final = "hiv"
GENETIC: Final = "genetic"
REPRODUCTIVE: Final = "reproductive"
MINOR_CONSENTED: Final = "minor_consented"

SENSITIVE_LABELS: frozenset[str] = frozenset(
    {PSYCHOTHERAPY_NOTE, PART2, HIV, GENETIC, REPRODUCTIVE, MINOR_CONSENTED}
)
"""DESIGN.md: a release carrying any of these labels needs a second approver."""


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A source document of one patient, by id, with the labels the rules look at.

    ``labels`` holds sensitivity labels (``hiv``, ``part2`` for DS4P ETH, ``genetic`` ...).
    ``source_program_part2`` marks records from a 42 CFR Part 2 program; ``minor_self_consented``
    marks an encounter the minor consented to on their own.
    """

    id: str
    document_type: str
    service_date: date
    labels: frozenset[str] = frozenset()
    source_program_part2: bool = False
    minor_self_consented: bool = False

    @property
    def effective_labels(self) -> frozenset[str]:
        """The labels, plus those implied by the type and the flags."""
        implied = {
            PSYCHOTHERAPY_NOTE: self.document_type == PSYCHOTHERAPY_NOTE,
            PART2: self.source_program_part2,
            MINOR_CONSENTED: self.minor_self_consented,
        }
        return self.labels | {label for label, on in implied.items() if on}

    @property
    def is_psychotherapy_note(self) -> bool:
        return PSYCHOTHERAPY_NOTE in self.effective_labels

    @property
    def is_part2(self) -> bool:
        return PART2 in self.effective_labels

    @property
    def is_minor_consented(self) -> bool:
        return MINOR_CONSENTED in self.effective_labels
