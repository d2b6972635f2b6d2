"""The identity check of the source pages (QA-01), as a pure verdict over token hits.

Every source page goes through ``redaction.find_tokens`` in the PDF pool with the patient's own
tokens (MRN, name forms, date of birth) and the MRNs of other patients. A page that carries
another patient's MRN is a ``FOREIGN_PAGE`` (the release is rejected) unless that page is
excluded; a page with none of the patient's tokens is ``PAGE_UNIDENTIFIED`` (held for review).
Generated pages (cover, notices) are made later and never checked. Findings name the source
record and page only, never what was found.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

FOREIGN_PAGE = "FOREIGN_PAGE"
PAGE_UNIDENTIFIED = "PAGE_UNIDENTIFIED"

_FINDINGS: dict[str, tuple[str, str]] = {
    FOREIGN_PAGE: ("block", "A source page carries another patient's medical record number."),
    PAGE_UNIDENTIFIED: ("hold", "A source page carries no identifier of the patient."),
}
RULE_ID = "QA-01"
CITATION = "45 CFR 164.402 (breach presumption); HIM right-patient quality control"


@dataclass(frozen=True, slots=True)
class PageIssue:
    code: str
    source_record_id: str
    page: int

    def finding(self) -> dict[str, object]:
        severity, message = _FINDINGS[self.code]
        return {
            "code": self.code,
            "rule_id": RULE_ID,
            "severity": severity,
            "message": message,
            "citation": CITATION,
            "subject": f"{self.source_record_id}:page:{self.page}",
        }


@dataclass(frozen=True, slots=True)
class IdentityVerdict:
    pages_checked: int
    issues: tuple[PageIssue, ...]

    @property
    def foreign(self) -> tuple[PageIssue, ...]:
        return tuple(i for i in self.issues if i.code == FOREIGN_PAGE)

    @property
    def unidentified(self) -> tuple[PageIssue, ...]:
        return tuple(i for i in self.issues if i.code == PAGE_UNIDENTIFIED)

    @property
    def outcome(self) -> str:
        """``rejected`` (a foreign page), ``on_hold`` (an unidentified page) or ``ok``."""
        if self.foreign:
            return "rejected"
        return "on_hold" if self.unidentified else "ok"

    def findings(self) -> list[dict[str, object]]:
        return [i.finding() for i in self.issues]


def check_document(
    source_record_id: str,
    page_count: int,
    hits: Mapping[int, Collection[str]],
    *,
    own: Collection[str],
    foreign: Collection[str],
    excluded_pages: Collection[int] = (),
) -> list[PageIssue]:
    """The issues of one source record, from ``find_tokens``'s page -> tokens map."""
    own_set, foreign_set = set(own), set(foreign) - set(own)
    issues: list[PageIssue] = []
    for page in range(page_count):
        if page in excluded_pages:
            continue
        found = set(hits.get(page, ()))
        if found & foreign_set:
            issues.append(PageIssue(FOREIGN_PAGE, source_record_id, page))
        elif not found & own_set:
            issues.append(PageIssue(PAGE_UNIDENTIFIED, source_record_id, page))
    return issues
