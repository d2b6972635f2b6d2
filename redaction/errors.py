"""Errors of the redaction engine. They name where (page, checker), never what."""

from __future__ import annotations

from kernel.errors import DomainError


class RedactionError(DomainError):
    code = "REDACTION_ERROR"
