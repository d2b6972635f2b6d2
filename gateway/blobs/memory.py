"""The in-memory blob store: the fake that tests and the ``memory`` backend use.

It keeps the same contract as the real adapters (server-generated keys, strict prefixes, SHA-256
checked on every read) and has two test hooks: :meth:`corrupt` flips stored bytes behind the
store's back, :meth:`fail_next_put` makes the next write fail the way a full disk would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from gateway.blobs.keys import (
    DigestCheck,
    check_chunk_size,
    check_content_type,
    check_key,
    check_prefix,
    new_key,
    sha256_hex,
    verify,
)
from kernel.blobs import BlobNotFound, BlobStoreUnavailable, StoredBlob
from kernel.clock import Clock, SystemClock


@dataclass(slots=True)
class _Entry:
    data: bytes
    meta: StoredBlob
    stored_at: datetime


class MemoryBlobStore:
    """A dict of key -> bytes and metadata, behind the :class:`~kernel.blobs.BlobStore` port."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._entries: dict[str, _Entry] = {}
        self._fail_next_put = False

    async def put(self, data: bytes, *, content_type: str, prefix: str) -> StoredBlob:
        key = new_key(prefix, self._clock)
        meta = StoredBlob(
            key=key,
            sha256=sha256_hex(data),
            size=len(data),
            content_type=check_content_type(content_type),
        )
        if self._fail_next_put:
            self._fail_next_put = False
            raise BlobStoreUnavailable("blob write failed", backend="memory")
        self._entries[key] = _Entry(data=bytes(data), meta=meta, stored_at=self._clock.now())
        return meta

    async def get(self, key: str) -> bytes:
        entry = self._entry(key)
        return verify(entry.meta, entry.data)

    async def stream(self, key: str, *, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        check_chunk_size(chunk_size)
        entry = self._entry(key)
        check = DigestCheck(entry.meta)
        for start in range(0, len(entry.data), chunk_size):
            chunk = entry.data[start : start + chunk_size]
            check.update(chunk)
            yield chunk
        check.finish()

    async def stat(self, key: str) -> StoredBlob:
        return self._entry(key).meta

    async def delete(self, key: str) -> None:
        self._entries.pop(check_key(key), None)

    async def keys_stored_before(self, prefix: str, before: datetime) -> list[str]:
        start = check_prefix(prefix) + "/"
        return sorted(
            key
            for key, entry in self._entries.items()
            if key.startswith(start) and entry.stored_at < before
        )

    async def check(self) -> None:
        return None

    # Test hooks -----------------------------------------------------------------------------

    def corrupt(self, key: str) -> None:
        """Flip the first byte (or append one to an empty blob) without updating the digest."""
        entry = self._entry(key)
        data = entry.data
        entry.data = bytes([data[0] ^ 0xFF]) + data[1:] if data else b"\x00"

    def fail_next_put(self) -> None:
        """Make the next :meth:`put` fail after its key was chosen, as a crashed write would."""
        self._fail_next_put = True

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def _entry(self, key: str) -> _Entry:
        entry = self._entries.get(check_key(key))
        if entry is None:
            raise BlobNotFound("blob not found", key=key)
        return entry
