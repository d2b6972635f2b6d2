"""One harness per blob store adapter, so the contract tests can run unchanged over all of them.

Each harness knows how to reach behind its store's back: corrupt stored bytes without updating the
recorded digest, make the next write fail part-way, and list everything the backend holds.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError

from gateway.blobs import LocalBlobStore, MemoryBlobStore, S3BlobStore
from kernel.blobs import BlobStore


@dataclass(frozen=True)
class Harness:
    name: str
    store: BlobStore
    corrupt: Callable[[str], None]
    break_next_put: Callable[[], None]
    stored: Callable[[], list[str]]


def memory_harness(store: MemoryBlobStore) -> Harness:
    return Harness("memory", store, store.corrupt, store.fail_next_put, store.keys)


def local_harness(store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> Harness:
    def corrupt(key: str) -> None:
        path = store.path_of(key)
        data = path.read_bytes()
        path.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:] if data else b"\x00")

    def break_next_put() -> None:
        # The sidecar lands, the data file's temp file is written and synced, then the rename
        # that would publish it fails as on a full disk.
        real_replace = os.replace

        def failing_replace(src: Any, dst: Any) -> None:
            if str(dst).endswith(".json"):
                real_replace(src, dst)
                return
            monkeypatch.setattr(os, "replace", real_replace)
            raise OSError(errno.ENOSPC, "no space left on device")

        monkeypatch.setattr(os, "replace", failing_replace)

    def stored() -> list[str]:
        root: Path = store.root
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())

    return Harness("local", store, corrupt, break_next_put, stored)


def s3_harness(store: S3BlobStore) -> Harness:
    client, bucket = store.client, store.bucket

    def corrupt(key: str) -> None:
        # Rewrite the object with other bytes but the old metadata: S3's own checksum is then
        # consistent, and only our recorded SHA-256 can notice.
        head = client.head_object(Bucket=bucket, Key=key)
        data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        client.put_object(
            Bucket=bucket,
            Key=key,
            Body=bytes([data[0] ^ 0xFF]) + data[1:] if data else b"\x00",
            Metadata=head["Metadata"],
            ContentType=head["ContentType"],
        )

    def break_next_put() -> None:
        # Every attempt of every later upload loses its connection before S3 has the body.
        def drop_connection(**_: object) -> None:
            raise ConnectionClosedError(endpoint_url=str(client.meta.endpoint_url))

        client.meta.events.register("before-send.s3.PutObject", drop_connection)

    def stored() -> list[str]:
        listing = client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    return Harness("s3", store, corrupt, break_next_put, stored)
