"""The composition root picks the blob store from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.blobs import LocalBlobStore, MemoryBlobStore, S3BlobStore, build_blob_store
from gateway.settings import S3Settings, Settings


def test_the_default_is_local_files_under_the_data_dir(tmp_path: Path) -> None:
    store = build_blob_store(Settings(data_dir=tmp_path))

    assert isinstance(store, LocalBlobStore)
    assert store.root == (tmp_path / "blobs").resolve()


def test_memory_is_the_in_memory_fake(tmp_path: Path) -> None:
    store = build_blob_store(Settings(data_dir=tmp_path, blob_backend="memory"))

    assert isinstance(store, MemoryBlobStore)


def test_s3_uses_the_bucket_and_endpoint_from_settings(tmp_path: Path) -> None:
    s3 = S3Settings(
        endpoint_url="http://127.0.0.1:9",
        bucket="roi-packets",
        access_key_id=SecretStr("testing"),
        secret_access_key=SecretStr("testing"),
    )

    store = build_blob_store(Settings(data_dir=tmp_path, blob_backend="s3", s3=s3))

    assert isinstance(store, S3BlobStore)
    assert store.bucket == "roi-packets"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9"
    store.close()


def test_s3_without_a_bucket_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bucket"):
        build_blob_store(Settings(data_dir=tmp_path, blob_backend="s3"))
