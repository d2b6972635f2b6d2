"""The composition root picks the mailer from settings."""

from __future__ import annotations

from pathlib import Path

from gateway.mail import OutboxMailer, SmtpMailer, build_mailer
from gateway.settings import MailSettings, Settings


def test_the_default_is_the_outbox_under_the_data_dir(tmp_path: Path) -> None:
    mailer = build_mailer(Settings(data_dir=tmp_path))

    assert isinstance(mailer, OutboxMailer)
    assert mailer.directory == (tmp_path / "outbox").resolve()


def test_smtp_when_the_settings_say_so(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, mail=MailSettings(backend="smtp"))

    assert isinstance(build_mailer(settings), SmtpMailer)
