"""Errors of the redaction engine. They name where (page, checker), never what.

Each error has a stable ``code``; ``data`` holds only page numbers, counts, checker names and
limit names. No message or datum ever carries document text, a term or a file name.
"""

from __future__ import annotations

from kernel.errors import DomainError


class RedactionError(DomainError):
    """The base of every error the engine raises on purpose."""

    code = "REDACTION_ERROR"


class EncryptedPdf(RedactionError):
    """The file needs a password (an empty user password is not refused)."""

    code = "PDF_ENCRYPTED"


class MalformedPdf(RedactionError):
    """The file is not a PDF, is damaged, or a content stream could not be parsed completely."""

    code = "PDF_MALFORMED"


class PdfTooLarge(RedactionError):
    """A limit was exceeded: ``data["limit"]`` names which (bytes, pages, objects, seconds...)."""

    code = "PDF_TOO_LARGE"


class UnsupportedPdf(RedactionError):
    """The file uses a feature the engine cannot redact safely: ``data["feature"]`` names it."""

    code = "PDF_UNSUPPORTED"


class VerificationFailed(RedactionError):
    """The output still shows a redacted term or glyph: at ``page`` (0-based), by ``checker``."""

    code = "PDF_VERIFICATION_FAILED"

    def __init__(
        self, message: str = "", *, page: int | None, checker: str, **data: object
    ) -> None:
        super().__init__(
            message or f"verification failed: {checker}", page=page, checker=checker, **data
        )
        self.page = page
        self.checker = checker


class OcrFailed(RedactionError):
    """The OCR engine is missing, timed out or returned unreadable output."""

    code = "OCR_FAILED"


class PlanMismatch(RedactionError):
    """The plan names a page the document does not have (``data["page"]``)."""

    code = "REDACTION_PLAN_MISMATCH"
