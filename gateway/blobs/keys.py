"""Server-generated blob keys and the strict patterns every adapter checks them against.

A key is ``<prefix>/<yyyy>/<mm>/<uuid4 hex>``. The prefix is chosen by our code (``records``,
``packets/2026``), never by a user, and still checked: one to four lower-case segments of letters,
digits, ``-`` and ``_``, so no ``..``, no absolute path, no backslash, no empty segment. Keys are
checked again on every read, so a key can never name a path outside the store.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from kernel.blobs import BlobIntegrityError, BlobKeyRejected, StoredBlob
from kernel.clock import Clock

_SEGMENT = r"[a-z0-9][a-z0-9_-]{0,62}"
_PREFIX = rf"{_SEGMENT}(?:/{_SEGMENT}){{0,3}}"
PREFIX_PATTERN = re.compile(rf"\A{_PREFIX}\Z")
KEY_PATTERN = re.compile(rf"\A{_PREFIX}/[0-9]{{4}}/[0-9]{{2}}/[0-9a-f]{{32}}\Z")
_CONTENT_TYPE = re.compile(r"\A[a-z0-9][a-z0-9.+-]{0,62}/[a-z0-9][a-z0-9.+-]{0,126}\Z")


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if it matches the strict pattern, else raise :class:`BlobKeyRejected`."""
    if not PREFIX_PATTERN.match(prefix):
        raise BlobKeyRejected("blob prefix rejected", reason="prefix_pattern")
    return prefix


def check_key(key: str) -> str:
    """Return ``key`` if it has the shape of a key we generate, else raise."""
    if not KEY_PATTERN.match(key):
        raise BlobKeyRejected("blob key rejected", reason="key_pattern")
    return key


def check_content_type(content_type: str) -> str:
    """A bare ``type/subtype`` in lower case (it goes into headers and metadata as is)."""
    if not _CONTENT_TYPE.match(content_type):
        msg = "content type must be a lower-case type/subtype without parameters"
        raise ValueError(msg)
    return content_type


def new_key(prefix: str, clock: Clock) -> str:
    """A fresh key under ``prefix``: year and month from ``clock``, then a random UUID4."""
    now = clock.now()
    return f"{check_prefix(prefix)}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DigestCheck:
    """Hashes bytes as they pass and compares them with what was recorded at write time."""

    def __init__(self, expected: StoredBlob, *, hashing: bool = True) -> None:
        """``hashing=False`` checks the size alone (a file the caller knows hashed right)."""
        self._expected = expected
        self._digest = hashlib.sha256() if hashing else None
        self._size = 0

    def update(self, chunk: bytes) -> None:
        if self._digest is not None:
            self._digest.update(chunk)
        self._size += len(chunk)

    def finish(self) -> None:
        """Raise :class:`BlobIntegrityError` unless digest and size match the record."""
        expected = self._expected
        digest = self._digest
        if self._size != expected.size or (
            digest is not None and digest.hexdigest() != expected.sha256
        ):
            raise BlobIntegrityError("blob digest mismatch", key=expected.key)


def verify(expected: StoredBlob, data: bytes) -> bytes:
    """Return ``data`` if it is what was stored, else raise :class:`BlobIntegrityError`."""
    check = DigestCheck(expected)
    check.update(data)
    check.finish()
    return data


def check_chunk_size(chunk_size: int) -> int:
    if chunk_size < 1:
        msg = "chunk_size must be positive"
        raise ValueError(msg)
    return chunk_size
