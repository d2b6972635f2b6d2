"""Mail failures. Messages and data never carry a recipient, a subject or a body."""

from __future__ import annotations

from kernel.errors import DomainError


class MailError(DomainError):
    """Base of mail failures."""

    code = "MAIL_ERROR"


class MailUnavailable(MailError):
    """The relay or the outbox did not take the message (down, timed out, disk full)."""

    code = "MAIL_UNAVAILABLE"


class MailRejected(MailError):
    """The message cannot be sent as given: a malformed header value, or the relay refused the
    recipient."""

    code = "MAIL_REJECTED"
