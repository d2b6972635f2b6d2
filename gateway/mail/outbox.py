"""The outbox mailer: each message becomes a ``.eml`` file (0600) in ``<data dir>/outbox/``.

The default on one machine: an operator or a relay job picks the files up. Files are written
atomically, so a reader never sees half a message.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio.to_thread

from gateway.fs import make_private_dirs, write_private_atomic
from gateway.mail.errors import MailUnavailable
from gateway.mail.message import build_message, log_queued, message_id_of
from gateway.mail.port import OutgoingMail
from kernel.clock import Clock, SystemClock


class OutboxMailer:
    """Writes each message to ``directory`` as ``<utc timestamp>-<uuid hex>.eml``."""

    def __init__(self, directory: Path, *, sender: str, clock: Clock | None = None) -> None:
        self._directory = directory.resolve()
        self._sender = sender
        self._clock = clock or SystemClock()

    @property
    def directory(self) -> Path:
        return self._directory

    async def send(self, message: OutgoingMail) -> str:
        built = build_message(message, sender=self._sender, clock=self._clock)
        name = f"{self._clock.now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex}.eml"
        try:
            await anyio.to_thread.run_sync(self._write, name, built.as_bytes())
        except OSError as exc:
            raise MailUnavailable("outbox not writable", backend="outbox", errno=exc.errno) from exc
        message_id = message_id_of(built)
        log_queued(message_id)
        return message_id

    def _write(self, name: str, data: bytes) -> None:
        make_private_dirs(self._directory)
        write_private_atomic(self._directory / name, data)
