"""``redact``: find -> remove glyphs -> paint -> scrub -> save -> verify (fail closed)."""

from __future__ import annotations

from redaction.limits import Limits
from redaction.ocr import Ocr
from redaction.plan import Plan
from redaction.specs import Redacted


def redact(
    pdf: bytes,
    plan: Plan,
    *,
    limits: Limits | None = None,
    ocr: Ocr | None = None,
    verify: bool = True,
) -> Redacted:
    """Redact ``pdf`` by ``plan``; the output is verified before it is returned.

    Raises :class:`~redaction.errors.VerificationFailed` rather than return unverified bytes
    (unless ``verify=False``, the benchmark's unverified mode).
    """
    raise NotImplementedError
