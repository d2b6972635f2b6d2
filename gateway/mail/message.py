"""Builds the RFC 5322 message every adapter sends, and logs that it was queued."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import structlog

from gateway.mail.port import OutgoingMail
from kernel.clock import Clock


def build_message(mail: OutgoingMail, *, sender: str, clock: Clock) -> EmailMessage:
    """A text message, with an HTML alternative when given, and a fresh Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def message_id_of(message: EmailMessage) -> str:
    return str(message["Message-ID"])


def log_queued(message_id: str) -> None:
    """The one log line of mail: the Message-ID only, never recipient, subject or body."""
    structlog.get_logger().info("mail.queued", message_id=message_id)
