"""Blob store on the local file system: one file per blob under a root directory.

Layout: ``<root>/<key>`` holds the bytes, ``<root>/<key>.json`` (the sidecar) holds SHA-256, size
and content type. The sidecar is written first and the data file last, each through a temp file in
the same directory, ``fsync``, ``os.replace`` and an ``fsync`` of the directory: a blob is visible
exactly when its data file exists, so a failed or interrupted write leaves nothing visible.
Directories are 0700 and files 0600. Every blocking call runs in a worker thread.

Reads check the bytes against the sidecar's SHA-256. A stream remembers, per key, the data file's
identity when its bytes last hashed right: device, inode, size, and modification and change times
in nanoseconds (``fstat`` of the open file). A later stream of the same file skips the hash
when all five are the same: any write to the file moves its change time, which no system call
can set back (``utime`` sets the modification time and moves the change time too), and a
replaced file has another inode. A packet downloaded again and again is hashed once per change,
not once per download (0.5 ms of CPU a MiB here); what it defends against, a file altered after
it was stored, is still refused before its first byte. A file changed within the last
``SETTLED_NS`` is hashed every time (the "racy" case of git's index: on kernels with coarse file
times, two writes in one clock tick can share a change time).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TypeVar

import anyio.to_thread

from gateway.blobs.keys import (
    KEY_PATTERN,
    DigestCheck,
    check_chunk_size,
    check_content_type,
    check_key,
    check_prefix,
    new_key,
    sha256_hex,
    verify,
)
from gateway.fs import fsync_dir, make_private_dirs, write_private_atomic
from kernel.blobs import BlobIntegrityError, BlobNotFound, BlobStoreUnavailable, StoredBlob
from kernel.clock import Clock, SystemClock

_T = TypeVar("_T")
_SIDECAR = ".json"
VERIFIED_MEMORY = 4096  # keys whose file identity is remembered after a good hash
# A file changed less than this before its hash is not remembered: on a kernel whose file times
# are coarse (a clock tick), a second write within the same tick would keep the change time.
SETTLED_NS = 2_000_000_000
FileIdentity = tuple[int, int, int, int, int]


class LocalBlobStore:
    """Files under ``root``, behind the :class:`~kernel.blobs.BlobStore` port."""

    def __init__(self, root: Path, *, clock: Clock | None = None) -> None:
        self._root = root.resolve()
        self._clock = clock or SystemClock()
        self._verified: dict[str, FileIdentity] = {}  # key -> its file when it last hashed right
        self._verified_lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self._root

    async def put(self, data: bytes, *, content_type: str, prefix: str) -> StoredBlob:
        key = new_key(prefix, self._clock)
        meta = StoredBlob(
            key=key,
            sha256=sha256_hex(data),
            size=len(data),
            content_type=check_content_type(content_type),
        )
        await _off_loop(self._write, meta, bytes(data))
        return meta

    async def get(self, key: str) -> bytes:
        return await _off_loop(self._read, self.path_of(key))

    async def stream(self, key: str, *, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        check_chunk_size(chunk_size)
        opened = await _off_loop(self._open_first, self.path_of(key), chunk_size)
        meta, handle, first, identity = opened
        if handle is None:  # the whole blob came in the first read, checked before any byte
            if first:
                yield first
            return
        try:
            check = DigestCheck(meta, hashing=not self._known(key, identity))
            check.update(first)
            yield first
            # read and hash on the worker thread: hashlib lets go of the GIL for big chunks
            while chunk := await _off_loop(_read_hashed, handle, check, chunk_size):
                yield chunk
            check.finish()
            self._remember(key, identity)
        finally:
            handle.close()  # a read-only close does not block; it must run even when cancelled

    async def stat(self, key: str) -> StoredBlob:
        return await _off_loop(self._stat, self.path_of(key))

    async def delete(self, key: str) -> None:
        await _off_loop(self._delete, self.path_of(key))

    async def keys_stored_before(self, prefix: str, before: datetime) -> list[str]:
        return await _off_loop(self._keys_before, check_prefix(prefix), before.timestamp())

    async def check(self) -> None:
        await _off_loop(self._check)

    def path_of(self, key: str) -> Path:
        """The data file of ``key``; the key pattern keeps it inside the root."""
        path = self._root / check_key(key)
        if not path.is_relative_to(self._root):  # defence in depth; the pattern forbids this
            raise BlobNotFound("blob not found", key=key)
        return path

    # Blocking parts, run in a worker thread ---------------------------------------------------

    def _write(self, meta: StoredBlob, data: bytes) -> None:
        path = self.path_of(meta.key)
        if not self._confined(path):
            raise BlobStoreUnavailable("blob path leaves the root", backend="local")
        sidecar = _sidecar(path)
        try:
            make_private_dirs(path.parent)
            write_private_atomic(sidecar, _encode_meta(meta))
            try:
                write_private_atomic(path, data)
            except BaseException:
                sidecar.unlink(missing_ok=True)
                raise
        except FileNotFoundError as exc:  # a directory vanished under us: not a missing blob
            raise BlobStoreUnavailable("blob directory vanished", backend="local") from exc

    def _read(self, path: Path) -> bytes:
        meta = self._stat(path)
        return verify(meta, path.read_bytes())

    def _open_first(
        self, path: Path, size: int
    ) -> tuple[StoredBlob, BinaryIO | None, bytes, FileIdentity]:
        """The record, the open file, its first ``size`` bytes and its identity, in one thread
        hop. A blob that fits in that read (a packet, usually) is checked now and its file closed
        (``None``): a corrupted one fails before its first byte goes out. The hash is skipped when
        the same file hashed right before (the module's docstring)."""
        meta = self._stat(path)
        handle = path.open("rb")
        try:
            identity = _identity(os.fstat(handle.fileno()))
            first = handle.read(size)
            # a short read is the end of the file; at the recorded size, the tail read shows a
            # file longer than its record
            if len(first) < size or len(first) >= meta.size:
                whole = first + handle.read(1)
                if not (self._known(meta.key, identity) and len(whole) == meta.size):
                    verify(meta, whole)
                    self._remember(meta.key, identity)
                handle.close()
                return meta, None, first, identity
        except BaseException:
            handle.close()
            raise
        return meta, handle, first, identity

    def _known(self, key: str, identity: FileIdentity) -> bool:
        return self._verified.get(key) == identity

    def _remember(self, key: str, identity: FileIdentity) -> None:
        if time.time_ns() - identity[4] < SETTLED_NS:
            return
        with self._verified_lock:
            self._verified.pop(key, None)
            self._verified[key] = identity
            while len(self._verified) > VERIFIED_MEMORY:  # the oldest goes first
                del self._verified[next(iter(self._verified))]

    def _stat(self, path: Path) -> StoredBlob:
        key = path.relative_to(self._root).as_posix()
        if not path.is_file():
            raise BlobNotFound("blob not found", key=key)
        if not self._confined(path):
            raise BlobIntegrityError("blob path leaves the root", key=key)
        try:
            return _decode_meta(key, _sidecar(path).read_bytes())
        except FileNotFoundError:
            raise BlobIntegrityError("blob metadata missing", key=key) from None

    def _confined(self, path: Path) -> bool:
        """No symlink planted in the tree leads ``path`` out of the root."""
        return path.resolve().is_relative_to(self._root)

    def _delete(self, path: Path) -> None:
        with self._verified_lock:
            self._verified.pop(path.relative_to(self._root).as_posix(), None)
        path.unlink(missing_ok=True)
        _sidecar(path).unlink(missing_ok=True)
        if path.parent.is_dir():
            fsync_dir(path.parent)

    def _keys_before(self, prefix: str, before: float) -> list[str]:
        """Data files (not sidecars, not temp files: only names of the key pattern) under
        ``prefix``, by their modification time (written once, at the put)."""
        found = []
        for path in (self._root / prefix).rglob("*"):
            key = path.relative_to(self._root).as_posix()
            if KEY_PATTERN.match(key) and path.is_file() and path.stat().st_mtime < before:
                found.append(key)
        return sorted(found)

    def _check(self) -> None:
        make_private_dirs(self._root)
        if not os.access(self._root, os.W_OK | os.X_OK):
            raise BlobStoreUnavailable("blob root not writable", backend="local")


async def _off_loop(func: Callable[..., _T], *args: object) -> _T:
    """Run a blocking call in a worker thread; OS failures become ``BlobStoreUnavailable``."""
    try:
        return await anyio.to_thread.run_sync(func, *args)
    except FileNotFoundError:
        raise BlobNotFound("blob not found") from None
    except OSError as exc:
        raise BlobStoreUnavailable(
            "blob store I/O failed", backend="local", errno=exc.errno
        ) from exc


def _identity(st: os.stat_result) -> FileIdentity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + _SIDECAR)


def _encode_meta(meta: StoredBlob) -> bytes:
    record = {"sha256": meta.sha256, "size": meta.size, "content_type": meta.content_type}
    return json.dumps(record, sort_keys=True).encode()


def _decode_meta(key: str, raw: bytes) -> StoredBlob:
    try:
        record = json.loads(raw)
        return StoredBlob(
            key=key,
            sha256=str(record["sha256"]),
            size=int(record["size"]),
            content_type=str(record["content_type"]),
        )
    except (ValueError, KeyError, TypeError):
        raise BlobIntegrityError("blob metadata unreadable", key=key) from None


def _read_hashed(handle: BinaryIO, check: DigestCheck, size: int) -> bytes:
    chunk = handle.read(size)
    check.update(chunk)
    return chunk
