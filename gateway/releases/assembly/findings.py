"""Findings the assembly puts on a release (codes and places, never document text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

NO_DOCUMENTS = "NO_DOCUMENTS"
PATIENT_MISSING = "PATIENT_MISSING"
_MESSAGES = {
    NO_DOCUMENTS: "No source document is included in the release.",
    PATIENT_MISSING: "The release names no registered patient.",
}


def hold_finding(code: str, *, subject: str | None = None) -> dict[str, object]:
    """A finding that holds the release for a person: an engine refusal or a missing input."""
    message = _MESSAGES.get(code, "The redaction engine refused the packet; a person must look.")
    return {
        "code": code,
        "rule_id": "QA-02" if code.startswith("PDF_") else "QA-01",
        "severity": "hold",
        "message": message,
        "citation": "",
        "subject": subject,
    }


def merged(existing: Sequence[Any], new: Sequence[dict[str, object]]) -> list[Any]:
    """``existing`` plus the ``new`` findings it does not hold yet (same code and subject)."""
    seen = {(f.get("code"), f.get("subject")) for f in existing if isinstance(f, dict)}
    out = list(existing)
    for item in new:
        key = (item.get("code"), item.get("subject"))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
