"""OutgoingMail refuses header values that could inject headers, without repeating them."""

from __future__ import annotations

import pytest

from gateway.mail import MailRejected, OutgoingMail


@pytest.mark.parametrize(
    "to",
    [
        "clerk@firm.example\r\nBcc: spy@evil.example",
        "clerk@firm.example\nBcc: spy@evil.example",
        "Clerk <clerk@firm.example>",
        "clerk@firm.example, spy@evil.example",
        "clerk",
        "",
        " clerk@firm.example",
    ],
)
def test_a_recipient_that_is_not_one_bare_address_is_rejected(to: str) -> None:
    with pytest.raises(MailRejected) as caught:
        OutgoingMail(to=to, subject="Records", text="body")

    assert caught.value.data == {"field": "to"}
    assert "clerk" not in str(caught.value)


@pytest.mark.parametrize(
    "subject", ["Records\r\nBcc: spy@evil.example", "Records\n", "tab\there", "x" * 201]
)
def test_a_subject_with_control_characters_or_too_long_is_rejected(subject: str) -> None:
    with pytest.raises(MailRejected) as caught:
        OutgoingMail(to="clerk@firm.example", subject=subject, text="body")

    assert caught.value.data == {"field": "subject"}


def test_an_ordinary_message_is_accepted() -> None:
    mail = OutgoingMail(to="clerk+roi@firm.example", subject="Records — ready", text="body")

    assert mail.html is None
