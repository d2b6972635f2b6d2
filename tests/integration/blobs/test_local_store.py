"""What only the local-file adapter promises: private modes, a sidecar, no leftovers."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.blobs import LocalBlobStore, local
from kernel.blobs import BlobIntegrityError, BlobStoreUnavailable

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7\nsynthetic\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
async def test_files_are_0600_and_directories_0700_whatever_the_umask(
    store: LocalBlobStore,
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")

    data = store.path_of(stored.key)
    assert mode(data) == 0o600
    assert mode(data.with_name(data.name + ".json")) == 0o600
    for directory in [store.root, *data.relative_to(store.root).parents]:
        assert mode(store.root / directory) == 0o700


async def test_the_sidecar_records_digest_size_and_type(store: LocalBlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")

    sidecar = store.path_of(stored.key).with_suffix(".json")
    assert json.loads(sidecar.read_text()) == {
        "sha256": stored.sha256,
        "size": len(PDF),
        "content_type": "application/pdf",
    }


async def test_a_write_leaves_no_temporary_files(store: LocalBlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")

    names = sorted(p.name for p in store.path_of(stored.key).parent.iterdir())
    assert names == [stored.key.rsplit("/", 1)[1], stored.key.rsplit("/", 1)[1] + ".json"]


async def test_blobs_live_under_the_root_at_their_key(store: LocalBlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="packets/rel-7")

    assert store.path_of(stored.key) == store.root / stored.key
    assert (store.root / stored.key).read_bytes() == PDF


async def test_a_blob_whose_sidecar_vanished_is_an_integrity_failure(
    store: LocalBlobStore,
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    store.path_of(stored.key).with_suffix(".json").unlink()

    with pytest.raises(BlobIntegrityError):
        await store.get(stored.key)


async def test_a_truncated_file_is_an_integrity_failure(store: LocalBlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    store.path_of(stored.key).write_bytes(PDF[:-1])

    with pytest.raises(BlobIntegrityError):
        await store.get(stored.key)


@pytest.mark.parametrize(
    "tampered", [PDF.replace(b"synthetic", b"SYNTHETIC"), PDF + b"appended", PDF[:-1]]
)
async def test_a_tampered_blob_within_one_chunk_fails_before_its_first_byte(
    store: LocalBlobStore, tampered: bytes
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    store.path_of(stored.key).write_bytes(tampered)
    received: list[bytes] = []

    with pytest.raises(BlobIntegrityError):
        await _drain(store.stream(stored.key, chunk_size=len(PDF) + 64), into=received)
    assert received == []


async def _drain(stream: AsyncIterator[bytes], *, into: list[bytes]) -> None:
    async for chunk in stream:
        into.append(chunk)


async def test_a_blob_of_exactly_one_chunk_streams_whole(store: LocalBlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")

    assert [c async for c in store.stream(stored.key, chunk_size=len(PDF))] == [PDF]


async def test_check_fails_when_the_root_cannot_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "blobs").write_bytes(b"not a directory")
    store = LocalBlobStore(tmp_path / "blobs")

    with pytest.raises(BlobStoreUnavailable):
        await store.check()
    with pytest.raises(BlobStoreUnavailable):
        await store.put(PDF, content_type="application/pdf", prefix="records")


async def test_check_creates_a_missing_root(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "data" / "blobs")

    await store.check()

    assert (tmp_path / "data" / "blobs").is_dir()


async def test_file_system_calls_run_in_worker_threads(
    store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.current_thread()
    callers: list[threading.Thread] = []
    real_fsync, real_open = os.fsync, Path.open

    def fsync(fd: int) -> None:
        callers.append(threading.current_thread())
        real_fsync(fd)

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        callers.append(threading.current_thread())
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Path, "open", open_)

    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    await store.get(stored.key)
    [_ async for _ in store.stream(stored.key)]
    await store.stat(stored.key)
    await store.delete(stored.key)

    assert len(callers) >= 8
    assert loop_thread not in callers


async def test_a_symlink_planted_in_the_tree_cannot_lead_a_write_outside(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    store = LocalBlobStore(tmp_path / "blobs")
    await store.check()
    (store.root / "records").symlink_to(elsewhere)

    with pytest.raises(BlobStoreUnavailable):
        await store.put(PDF, content_type="application/pdf", prefix="records")

    assert list(elsewhere.iterdir()) == []


async def test_a_symlink_planted_in_the_tree_cannot_lead_a_read_outside(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    moved = tmp_path / "elsewhere"
    (store.root / "records").rename(moved)
    (store.root / "records").symlink_to(moved)

    with pytest.raises(BlobIntegrityError):
        await store.get(stored.key)


async def test_keys_stored_before_go_by_the_data_files_time_and_skip_other_files(
    store: LocalBlobStore,
) -> None:
    old = await store.put(PDF, content_type="application/pdf", prefix="evidence")
    new = await store.put(PDF, content_type="application/pdf", prefix="evidence")
    path = store.path_of(old.key)
    day_ago = datetime.now(UTC) - timedelta(days=1)
    os.utime(path, (day_ago.timestamp(), day_ago.timestamp()))
    (path.parent / ".tmp-upload").write_bytes(b"partial")  # a write in progress
    (path.parent / ("f" * 31)).write_bytes(b"not a key of ours")

    assert await store.keys_stored_before("evidence", datetime.now(UTC) - timedelta(hours=1)) == [
        old.key
    ]
    listed = await store.keys_stored_before("evidence", datetime.now(UTC) + timedelta(hours=1))
    assert listed == sorted([old.key, new.key])


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts SHA-256 objects made (the blob store makes one per hashed read)."""
    made: list[int] = []
    real = hashlib.sha256

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "sha256", counted)
    return made


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (the tests cannot wait 2 s)."""
    monkeypatch.setattr(local, "SETTLED_NS", 0)


async def _stream_all(store: LocalBlobStore, key: str, chunk_size: int) -> bytes:
    return b"".join([c async for c in store.stream(key, chunk_size=chunk_size)])


@pytest.mark.usefixtures("settled_at_once")
@pytest.mark.parametrize("chunk_size", [1024, 7], ids=["one-read", "chunked"])
async def test_a_file_that_hashed_right_is_not_hashed_again_until_it_changes(
    store: LocalBlobStore, hashes: list[int], chunk_size: int
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="packets")
    hashes.clear()

    for _ in range(3):
        assert await _stream_all(store, stored.key, chunk_size) == PDF
    assert len(hashes) == 1


async def test_a_file_changed_just_now_is_hashed_on_every_read(
    store: LocalBlobStore, hashes: list[int]
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="packets")
    hashes.clear()

    for _ in range(2):
        assert await _stream_all(store, stored.key, 1024) == PDF
    assert len(hashes) == 2


def _rewrite_in_place_keeping_times(path: Path, data: bytes) -> None:
    before = path.stat()
    time.sleep(0.05)  # a later clock tick than the put, even where file times are coarse
    with path.open("r+b") as f:
        f.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def _replace_keeping_times(path: Path, data: bytes) -> None:
    before = path.stat()
    other = path.with_name("replacement.tmp")
    other.write_bytes(data)
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    other.replace(path)


@pytest.mark.usefixtures("settled_at_once")
@pytest.mark.parametrize("alter", [_rewrite_in_place_keeping_times, _replace_keeping_times])
@pytest.mark.parametrize("chunk_size", [1024, 7], ids=["one-read", "chunked"])
async def test_a_file_altered_after_a_good_read_is_refused(
    store: LocalBlobStore, alter: Any, chunk_size: int
) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="packets")
    assert await _stream_all(store, stored.key, chunk_size) == PDF  # remembered

    alter(store.path_of(stored.key), PDF.replace(b"synthetic", b"SYNTHETIC"))

    with pytest.raises(BlobIntegrityError):
        await _stream_all(store, stored.key, chunk_size)
