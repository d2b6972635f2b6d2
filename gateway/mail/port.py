"""The mail port: what the rest of the gateway sends, and the one call that sends it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from gateway.mail.errors import MailRejected

# One bare addr-spec: no display name, no list, no whitespace or control characters.
_ADDRESS = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\Z")
_MAX_SUBJECT = 200


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One message to one recipient. Header values are checked here, so no caller can inject a
    header; the rejection names the field, never its value."""

    to: str
    subject: str
    text: str
    html: str | None = None

    def __post_init__(self) -> None:
        if not _ADDRESS.match(self.to):
            raise MailRejected("recipient address rejected", field="to")
        if len(self.subject) > _MAX_SUBJECT or not self.subject.isprintable():
            raise MailRejected("subject rejected", field="subject")


class Mailer(Protocol):
    """Sends mail; adapters: outbox files, SMTP, and an in-memory fake."""

    async def send(self, message: OutgoingMail) -> str:
        """Hand ``message`` over for delivery; return its Message-ID. Raises
        :class:`~gateway.mail.errors.MailUnavailable` or ``MailRejected``."""
        ...
