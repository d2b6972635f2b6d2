"""The in-memory mailer: keeps what it was given, for tests and demos."""

from __future__ import annotations

from email.message import EmailMessage

from gateway.mail.errors import MailUnavailable
from gateway.mail.message import build_message, log_queued, message_id_of
from gateway.mail.port import OutgoingMail
from kernel.clock import Clock, SystemClock


class FakeMailer:
    """Behaves as the real adapters do (same message, same log line) but delivers to a list."""

    def __init__(
        self, *, sender: str = "roi-gateway@localhost", clock: Clock | None = None
    ) -> None:
        self._sender = sender
        self._clock = clock or SystemClock()
        self.sent: list[EmailMessage] = []
        self._fail_next = False

    async def send(self, message: OutgoingMail) -> str:
        built = build_message(message, sender=self._sender, clock=self._clock)
        if self._fail_next:
            self._fail_next = False
            raise MailUnavailable("mail relay unavailable", backend="fake")
        self.sent.append(built)
        message_id = message_id_of(built)
        log_queued(message_id)
        return message_id

    def fail_next(self) -> None:
        """Test hook: the next :meth:`send` fails as an unreachable relay would."""
        self._fail_next = True
