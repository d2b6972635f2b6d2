"""SMTP specifics: the envelope, a refused recipient, a relay that never answers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from gateway.mail import MailRejected, MailUnavailable, OutgoingMail, SmtpMailer
from gateway.settings import MailSettings
from tests.fixtures.faults import Behaviour, FaultServer, blackhole, reset
from tests.fixtures.smtp import SmtpSink

pytestmark = pytest.mark.anyio

MAIL = OutgoingMail(to="clerk@firm.example", subject="Your records are ready", text="A link.")


def settings_for(host: str, port: int, **overrides: object) -> MailSettings:
    values: dict[str, object] = {
        "backend": "smtp",
        "sender": "roi@hospital.example",
        "smtp_host": host,
        "smtp_port": port,
        "timeout_s": 5.0,
    }
    return MailSettings.model_validate(values | overrides)


async def test_the_envelope_names_the_sender_and_the_one_recipient(smtp_sink: SmtpSink) -> None:
    await SmtpMailer(settings_for(smtp_sink.host, smtp_sink.port)).send(MAIL)

    assert smtp_sink.envelopes == [("roi@hospital.example", ["clerk@firm.example"])]


async def test_a_refused_recipient_is_rejected_without_naming_it(smtp_sink: SmtpSink) -> None:
    smtp_sink.refused.add("clerk@firm.example")

    with pytest.raises(MailRejected) as caught:
        await SmtpMailer(settings_for(smtp_sink.host, smtp_sink.port)).send(MAIL)

    assert "clerk" not in repr(caught.value)
    assert smtp_sink.messages == []


@pytest.mark.parametrize("behaviour", [blackhole, reset], ids=["blackhole", "connection-reset"])
async def test_a_dead_relay_is_unavailable_within_the_timeout(
    fault_server: Callable[[Behaviour], FaultServer], behaviour: Behaviour
) -> None:
    server = fault_server(behaviour)
    port = int(server.url.rsplit(":", 1)[1])
    mailer = SmtpMailer(settings_for("127.0.0.1", port, timeout_s=1.0))

    started = time.monotonic()
    with pytest.raises(MailUnavailable):
        await mailer.send(MAIL)

    assert time.monotonic() - started < 2.5
