"""The outbox writes private, whole .eml files."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.mail import OutboxMailer, OutgoingMail
from kernel.clock import FixedClock

pytestmark = pytest.mark.anyio

CLOCK = FixedClock(datetime(2026, 3, 14, 9, 26, 5, tzinfo=UTC))
MAIL = OutgoingMail(to="clerk@firm.example", subject="Your records are ready", text="A link.")


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("open_umask")
async def test_an_outbox_file_is_0600_in_a_0700_directory_whatever_the_umask(
    tmp_path: Path,
) -> None:
    outbox = tmp_path / "data" / "outbox"

    await OutboxMailer(outbox, sender="roi@localhost", clock=CLOCK).send(MAIL)

    [eml] = list(outbox.iterdir())
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert stat.S_IMODE(outbox.parent.stat().st_mode) == 0o700


async def test_files_are_named_by_time_and_a_random_id_and_no_temp_file_remains(
    tmp_path: Path,
) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", sender="roi@localhost", clock=CLOCK)

    await mailer.send(MAIL)
    await mailer.send(MAIL)

    names = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert len(names) == 2
    assert all(re.fullmatch(r"20260314T092605Z-[0-9a-f]{32}\.eml", name) for name in names)
