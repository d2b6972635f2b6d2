"""The SMTP mailer (aiosmtplib): for deployments with a mail relay.

Timeouts come from ``settings.mail``: aiosmtplib's per-operation timeout, and the same value as an
overall deadline for the whole exchange. Its errors are translated here.
"""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import anyio

from gateway.mail.errors import MailRejected, MailUnavailable
from gateway.mail.message import build_message, log_queued, message_id_of
from gateway.mail.port import OutgoingMail
from gateway.settings import MailSettings
from kernel.clock import Clock, SystemClock


class SmtpMailer:
    """Sends each message in its own SMTP session to the configured relay."""

    def __init__(self, settings: MailSettings, *, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()

    async def send(self, message: OutgoingMail) -> str:
        built = build_message(message, sender=self._settings.sender, clock=self._clock)
        try:
            with anyio.fail_after(self._settings.timeout_s):
                await self._deliver(built)
        except aiosmtplib.SMTPRecipientsRefused:
            raise MailRejected("relay refused the recipient", backend="smtp") from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(
                "mail relay unavailable", backend="smtp", error=type(exc).__name__
            ) from None
        message_id = message_id_of(built)
        log_queued(message_id)
        return message_id

    async def _deliver(self, built: EmailMessage) -> None:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        await aiosmtplib.send(
            built,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            start_tls=settings.smtp_starttls,
            timeout=settings.timeout_s,
        )
