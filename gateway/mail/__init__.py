"""Mail: a port with outbox, SMTP and in-memory adapters; the log says only ``mail.queued``."""

from __future__ import annotations

from gateway.mail.errors import MailError, MailRejected, MailUnavailable
from gateway.mail.fake import FakeMailer
from gateway.mail.outbox import OutboxMailer
from gateway.mail.port import Mailer, OutgoingMail
from gateway.mail.smtp import SmtpMailer
from gateway.settings import Settings
from kernel.clock import Clock

__all__ = [
    "FakeMailer",
    "MailError",
    "MailRejected",
    "MailUnavailable",
    "Mailer",
    "OutboxMailer",
    "OutgoingMail",
    "SmtpMailer",
    "build_mailer",
]


def build_mailer(settings: Settings, *, clock: Clock | None = None) -> Mailer:
    """The mailer named by ``settings.mail.backend``; call once, in the composition root."""
    if settings.mail.backend == "smtp":
        return SmtpMailer(settings.mail, clock=clock)
    return OutboxMailer(settings.data_dir / "outbox", sender=settings.mail.sender, clock=clock)
