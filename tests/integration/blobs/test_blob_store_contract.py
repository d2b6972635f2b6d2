"""The BlobStore contract: every adapter (local files, S3 on moto, in memory) behaves alike."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from gateway.blobs import LocalBlobStore, MemoryBlobStore
from gateway.settings import S3Settings
from kernel.blobs import BlobIntegrityError, BlobKeyRejected, BlobNotFound, BlobStoreUnavailable
from kernel.clock import FixedClock
from tests.integration.blobs.harness import Harness, local_harness, memory_harness, s3_harness

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
UNKNOWN_KEY = "records/2026/03/" + "0" * 32
BAD_PREFIXES = [
    "",
    "..",
    ".",
    "../records",
    "records/..",
    "records/../../etc",
    "/records",
    "/etc/passwd",
    "records/",
    "records//x",
    "records/./x",
    "Records",
    "records\\x",
    "records\n",
    "records\x00",
    "récords",
    "a/b/c/d/e",
    "x" * 64,
    "-records",
]
BAD_KEYS = [
    "../../etc/passwd",
    "/etc/passwd",
    "records/2026/03/../../../etc/passwd",
    "records/2026/03/" + "0" * 31,
    "records/2026/03/" + "0" * 32 + "/x",
    "records/2026/03/" + "0" * 32 + ".json",
    "records/2026/3/" + "0" * 32,
    UNKNOWN_KEY + "\n",
]


async def drain(stream: AsyncIterator[bytes], *, into: list[bytes]) -> None:
    async for chunk in stream:
        into.append(chunk)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3), "memory"])
def harness(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Harness:
    clock = FixedClock(datetime(2026, 3, 14, 9, 26, tzinfo=UTC))
    if request.param == "memory":
        return memory_harness(MemoryBlobStore(clock=clock))
    if request.param == "local":
        root = request.getfixturevalue("tmp_path") / "blobs"
        return local_harness(LocalBlobStore(root, clock=clock), monkeypatch)
    settings: S3Settings = request.getfixturevalue("s3_settings")
    return s3_harness(request.getfixturevalue("s3_store_for")(settings, clock=clock))


async def test_a_blob_reads_back_as_written(harness: Harness) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")

    assert await harness.store.get(stored.key) == PDF
    assert stored.size == len(PDF)
    assert stored.content_type == "application/pdf"
    assert re.fullmatch(r"[0-9a-f]{64}", stored.sha256)


async def test_an_empty_blob_reads_back_empty(harness: Harness) -> None:
    stored = await harness.store.put(b"", content_type="application/octet-stream", prefix="tmp")

    assert await harness.store.get(stored.key) == b""
    assert [chunk async for chunk in harness.store.stream(stored.key)] == []


async def test_keys_are_generated_by_the_store_under_the_prefix(harness: Harness) -> None:
    first = await harness.store.put(PDF, content_type="application/pdf", prefix="packets/rel-1")
    second = await harness.store.put(PDF, content_type="application/pdf", prefix="packets/rel-1")

    for stored in (first, second):
        assert re.fullmatch(r"packets/rel-1/2026/03/[0-9a-f]{32}", stored.key)
    assert first.key != second.key
    assert first.sha256 == second.sha256


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
async def test_a_prefix_outside_the_pattern_is_refused_and_nothing_is_written(
    harness: Harness, prefix: str
) -> None:
    with pytest.raises(BlobKeyRejected):
        await harness.store.put(PDF, content_type="application/pdf", prefix=prefix)

    assert harness.stored() == []


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_a_key_we_did_not_generate_is_refused_by_every_call(
    harness: Harness, key: str
) -> None:
    with pytest.raises(BlobKeyRejected):
        await harness.store.get(key)
    with pytest.raises(BlobKeyRejected):
        await harness.store.stat(key)
    with pytest.raises(BlobKeyRejected):
        await harness.store.delete(key)
    with pytest.raises(BlobKeyRejected):
        [chunk async for chunk in harness.store.stream(key)]


@pytest.mark.parametrize("content_type", ["", "pdf", "text/plain; charset=utf-8", "a/b\r\nX: y"])
async def test_a_content_type_that_is_not_a_bare_lower_case_type_is_refused(
    harness: Harness, content_type: str
) -> None:
    with pytest.raises(ValueError, match="content type"):
        await harness.store.put(PDF, content_type=content_type, prefix="records")

    assert harness.stored() == []


async def test_an_unknown_key_is_not_found(harness: Harness) -> None:
    with pytest.raises(BlobNotFound):
        await harness.store.get(UNKNOWN_KEY)
    with pytest.raises(BlobNotFound):
        await harness.store.stat(UNKNOWN_KEY)
    with pytest.raises(BlobNotFound):
        [chunk async for chunk in harness.store.stream(UNKNOWN_KEY)]


async def test_corrupted_bytes_fail_the_read(harness: Harness) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")
    harness.corrupt(stored.key)

    with pytest.raises(BlobIntegrityError) as caught:
        await harness.store.get(stored.key)
    assert caught.value.data["key"] == stored.key


async def test_corrupted_bytes_fail_the_stream_at_its_end(harness: Harness) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")
    harness.corrupt(stored.key)
    received: list[bytes] = []

    with pytest.raises(BlobIntegrityError):
        await drain(harness.store.stream(stored.key, chunk_size=1024), into=received)

    assert len(b"".join(received)) == len(PDF)


async def test_stat_reports_size_digest_and_type_without_the_bytes(harness: Harness) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")

    assert await harness.store.stat(stored.key) == stored


async def test_a_deleted_blob_is_gone_and_deleting_again_is_harmless(harness: Harness) -> None:
    kept = await harness.store.put(b"kept", content_type="text/plain", prefix="records")
    gone = await harness.store.put(b"gone", content_type="text/plain", prefix="records")

    await harness.store.delete(gone.key)
    await harness.store.delete(gone.key)

    with pytest.raises(BlobNotFound):
        await harness.store.get(gone.key)
    assert await harness.store.get(kept.key) == b"kept"


async def test_a_failed_write_leaves_nothing_visible(harness: Harness) -> None:
    harness.break_next_put()

    with pytest.raises(BlobStoreUnavailable):
        await harness.store.put(PDF, content_type="application/pdf", prefix="records")

    assert harness.stored() == []


@pytest.mark.parametrize("chunk_size", [1000, 4096, len(PDF), len(PDF) + 1])
async def test_a_stream_comes_in_chunks_of_the_requested_size(
    harness: Harness, chunk_size: int
) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")

    chunks = [chunk async for chunk in harness.store.stream(stored.key, chunk_size=chunk_size)]

    assert b"".join(chunks) == PDF
    assert len(chunks) == math.ceil(len(PDF) / chunk_size)
    assert all(len(chunk) == chunk_size for chunk in chunks[:-1])


async def test_a_chunk_size_below_one_is_refused(harness: Harness) -> None:
    stored = await harness.store.put(PDF, content_type="application/pdf", prefix="records")

    with pytest.raises(ValueError, match="chunk_size"):
        [chunk async for chunk in harness.store.stream(stored.key, chunk_size=0)]


async def test_check_passes_on_a_healthy_store(harness: Harness) -> None:
    await harness.store.check()


FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


async def test_keys_stored_before_lists_a_prefix_by_age(harness: Harness) -> None:
    evidence = await harness.store.put(PDF, content_type="application/pdf", prefix="evidence")
    record = await harness.store.put(PDF, content_type="application/pdf", prefix="records/source")

    assert await harness.store.keys_stored_before("evidence", FAR_FUTURE) == [evidence.key]
    assert await harness.store.keys_stored_before("records", FAR_FUTURE) == [record.key]
    assert await harness.store.keys_stored_before("records/source", FAR_FUTURE) == [record.key]
    assert await harness.store.keys_stored_before("evidence", FAR_PAST) == []
    assert await harness.store.keys_stored_before("packets", FAR_FUTURE) == []
    await harness.store.delete(evidence.key)
    assert await harness.store.keys_stored_before("evidence", FAR_FUTURE) == []


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
async def test_keys_stored_before_refuses_a_prefix_outside_the_pattern(
    harness: Harness, prefix: str
) -> None:
    with pytest.raises(BlobKeyRejected):
        await harness.store.keys_stored_before(prefix, FAR_FUTURE)
