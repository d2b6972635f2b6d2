"""The keyring on disk: ``<data dir>/keys/access_tokens.json``, mode 0600, written atomically,
created on first start. Restarts keep links valid; ``roi keys rotate`` rotates in place.

Changes go through an exclusive ``flock`` on a lock file next to it, so two processes starting at
once, or a rotation during a start, cannot lose keys. A running process notices a rotation at its
next use of the keyring (one ``stat``), so it signs with the new key at once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import structlog

from gateway.access_tokens.errors import KeyringInvalid
from gateway.access_tokens.keyring import Keyring
from gateway.access_tokens.policy import Purpose
from gateway.fs import FILE_MODE, make_private_dirs, write_private_atomic

log = structlog.get_logger()
Stamp = tuple[int, int, int]
MAX_FILE_BYTES = 1 << 20


class KeyFile:
    """A key source backed by the key file; reloads when the file is replaced."""

    def __init__(self, path: Path, keyring: Keyring, stamp: Stamp) -> None:
        self.path = path
        self._keyring = keyring
        self._stamp = stamp

    @classmethod
    def open(cls, path: Path, *, now: datetime) -> KeyFile:
        """Load the key file, creating it (or adding a key for a new purpose) if needed."""
        ensure(path, now=now)
        keyring, stamp = read(path)
        return cls(path, keyring, stamp)

    def keyring(self) -> Keyring:
        try:
            status = self.path.stat()
        except OSError:
            return self._keyring  # keep the last good keyring; the next stat may succeed
        if _stamp(status) != self._stamp:
            try:
                self._keyring, self._stamp = read(self.path)
            except (KeyringInvalid, OSError) as exc:
                log.error("access_token.keyfile_unreadable", error_type=type(exc).__name__)  # noqa: TRY400 - no key material in a traceback
            else:
                log.info("access_token.keyring_reloaded", keys=len(self._keyring.keys))
        return self._keyring


def ensure(path: Path, *, now: datetime) -> Keyring:
    """The keyring in ``path``: created with a key per purpose if absent, completed if a purpose
    has no active key."""
    with _locked(path):
        if not path.exists():
            keyring = Keyring.generate(now)
            write_private_atomic(path, keyring.to_json())
            log.info("access_token.keyring_created", keys=len(keyring.keys))
            return keyring
        keyring, _ = read(path)
        completed = keyring.completed(now)
        if completed is not keyring:
            write_private_atomic(path, completed.to_json())
        return completed


def rotate(path: Path, *, now: datetime, purposes: Iterable[Purpose] = tuple(Purpose)) -> Keyring:
    """Retire the active key of each of ``purposes`` and add a new one; drop keys past grace."""
    chosen = tuple(purposes)
    with _locked(path):
        current = read(path)[0] if path.exists() else Keyring.generate(now)
        rotated = current.rotated(now, chosen)
        write_private_atomic(path, rotated.to_json())
    log.info("access_token.keys_rotated", purposes=[p.value for p in chosen])
    return rotated


def read(path: Path) -> tuple[Keyring, Stamp]:
    """Parse the key file; refuse one that group or others may read (like ssh does)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if status.st_mode & 0o077:
            raise KeyringInvalid(problem="key file readable by group or others")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise KeyringInvalid(problem="key file too large")
    return Keyring.from_json(data), _stamp(status)


def _stamp(status: os.stat_result) -> Stamp:
    return (status.st_ino, status.st_mtime_ns, status.st_size)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    make_private_dirs(path.parent)
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
