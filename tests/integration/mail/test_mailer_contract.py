"""The Mailer contract: the outbox, SMTP (to a local aiosmtpd sink) and the fake behave alike,
and each logs only ``mail.queued message_id=...``."""

from __future__ import annotations

import io
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gateway.logs import configure_logging
from gateway.mail import FakeMailer, Mailer, MailUnavailable, OutboxMailer, OutgoingMail, SmtpMailer
from gateway.settings import MailSettings, Settings
from kernel.clock import FixedClock
from tests.fixtures.logs import CapturedLogs
from tests.fixtures.smtp import SmtpSink

pytestmark = pytest.mark.anyio

SENDER = "roi-gateway@hospital.example"
CLOCK = FixedClock(datetime(2026, 3, 14, 9, 26, tzinfo=UTC))
# Canaries: none of these may reach a log line.
RECIPIENT = "canary.recipient@firm.example"
SUBJECT = "Canary subject Jane Q Patient"
BODY = "Canary body: MRN 0000-CANARY"


@dataclass(frozen=True)
class MailHarness:
    name: str
    mailer: Mailer
    delivered: Callable[[], list[EmailMessage]]
    broken: Callable[[], Mailer]


def outbox_harness(tmp_path: Path) -> MailHarness:
    directory = tmp_path / "outbox"

    def delivered() -> list[EmailMessage]:
        if not directory.exists():
            return []
        return [_parse(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]

    def broken() -> Mailer:
        shutil.rmtree(directory, ignore_errors=True)
        directory.write_bytes(b"a file where the outbox directory should be")
        return OutboxMailer(directory, sender=SENDER, clock=CLOCK)

    return MailHarness(
        "outbox", OutboxMailer(directory, sender=SENDER, clock=CLOCK), delivered, broken
    )


def smtp_harness(sink: SmtpSink) -> MailHarness:
    settings = MailSettings(
        backend="smtp", sender=SENDER, smtp_host=sink.host, smtp_port=sink.port, timeout_s=5
    )

    def broken() -> Mailer:
        return SmtpMailer(settings.model_copy(update={"smtp_port": _closed_port()}), clock=CLOCK)

    return MailHarness("smtp", SmtpMailer(settings, clock=CLOCK), lambda: sink.messages, broken)


def fake_harness() -> MailHarness:
    mailer = FakeMailer(sender=SENDER, clock=CLOCK)

    def broken() -> Mailer:
        mailer.fail_next()
        return mailer

    return MailHarness("fake", mailer, lambda: mailer.sent, broken)


def _parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["outbox", "smtp", "fake"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> MailHarness:
    if request.param == "outbox":
        return outbox_harness(tmp_path)
    if request.param == "smtp":
        return smtp_harness(request.getfixturevalue("smtp_sink"))
    return fake_harness()


def canary_mail(html: str | None = None) -> OutgoingMail:
    return OutgoingMail(to=RECIPIENT, subject=SUBJECT, text=BODY, html=html)


async def test_a_message_arrives_with_its_headers_and_body(harness: MailHarness) -> None:
    message_id = await harness.mailer.send(canary_mail())

    [delivered] = harness.delivered()
    assert delivered["Message-ID"] == message_id
    assert (delivered["From"], delivered["To"]) == (SENDER, RECIPIENT)
    assert delivered["Subject"] == SUBJECT
    assert delivered["Date"] == "Sat, 14 Mar 2026 09:26:00 +0000"
    assert delivered.get_content_type() == "text/plain"
    assert delivered.get_content().strip() == BODY


async def test_an_html_alternative_travels_with_the_text(harness: MailHarness) -> None:
    await harness.mailer.send(canary_mail(html="<p>Canary body</p>"))

    [delivered] = harness.delivered()
    assert delivered.get_content_type() == "multipart/alternative"
    text, html = delivered.iter_parts()
    assert text.get_content().strip() == BODY  # type: ignore[attr-defined]
    assert html.get_content().strip() == "<p>Canary body</p>"  # type: ignore[attr-defined]


async def test_every_message_gets_its_own_message_id(harness: MailHarness) -> None:
    first = await harness.mailer.send(canary_mail())
    second = await harness.mailer.send(canary_mail())

    assert first != second
    assert first.startswith("<")
    assert first.endswith("@hospital.example>")
    assert sorted(m["Message-ID"] for m in harness.delivered()) == sorted([first, second])


async def test_the_log_says_only_that_the_message_was_queued(harness: MailHarness) -> None:
    with capture_logs() as logs:
        message_id = await harness.mailer.send(canary_mail(html="<p>Canary body</p>"))

    assert logs == [{"event": "mail.queued", "message_id": message_id, "log_level": "info"}]
    for canary in (RECIPIENT, "canary.recipient", SUBJECT, "Jane", BODY, "CANARY"):
        assert canary not in repr(logs)


@pytest.fixture
def json_logging(tmp_path: Path) -> None:
    """The production pipeline (filter + JSON renderer), as the app configures it."""
    configure_logging(Settings(data_dir=tmp_path, log_format="json"), stream=io.StringIO())


@pytest.mark.usefixtures("json_logging")
async def test_the_rendered_log_names_the_message_id_and_no_canary(
    harness: MailHarness, captured_logs: CapturedLogs
) -> None:
    message_id = await harness.mailer.send(canary_mail(html="<p>Canary body</p>"))

    assert "mail.queued" in captured_logs.text
    assert message_id in captured_logs.text
    for canary in ("canary.recipient", "Jane", "CANARY"):
        assert canary not in captured_logs.text


async def test_a_backend_that_cannot_take_mail_is_unavailable_and_logs_nothing(
    harness: MailHarness,
) -> None:
    mailer = harness.broken()

    with capture_logs() as logs, pytest.raises(MailUnavailable) as caught:
        await mailer.send(canary_mail())

    assert logs == []
    assert harness.delivered() == []
    for canary in (RECIPIENT, SUBJECT, BODY):
        assert canary not in str(caught.value)
        assert canary not in repr(caught.value)
