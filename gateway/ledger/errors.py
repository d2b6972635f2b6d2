"""Errors of the disclosure ledger. Data carries field names, seqs and counts, never values."""

from __future__ import annotations

from http import HTTPStatus

from gateway.errors import register
from kernel.errors import DomainError


class LedgerError(DomainError):
    """Base of every ledger error."""

    code = "LEDGER_ERROR"


class InvalidEntry(LedgerError):
    """A new entry is malformed (``data['field']`` names the field; its value is never echoed)."""

    code = "LEDGER_ENTRY_INVALID"


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for an entry with different content."""

    code = "LEDGER_IDEMPOTENCY_CONFLICT"


class HeadMoved(LedgerError):
    """The chain head changed under a locked append: the transaction should be retried."""

    code = "LEDGER_HEAD_MOVED"


register(InvalidEntry, HTTPStatus.UNPROCESSABLE_ENTITY)
register(IdempotencyConflict, HTTPStatus.CONFLICT)
register(HeadMoved, HTTPStatus.SERVICE_UNAVAILABLE)
