"""Blob store adapters (local files, S3, in memory) behind :class:`kernel.blobs.BlobStore`."""

from __future__ import annotations

from gateway.blobs.local import LocalBlobStore
from gateway.blobs.memory import MemoryBlobStore
from gateway.blobs.s3 import S3BlobStore
from gateway.settings import Settings
from kernel.blobs import BlobStore
from kernel.clock import Clock

__all__ = ["LocalBlobStore", "MemoryBlobStore", "S3BlobStore", "build_blob_store"]


def build_blob_store(settings: Settings, *, clock: Clock | None = None) -> BlobStore:
    """The store named by ``settings.blob_backend``; call once, in the composition root."""
    if settings.blob_backend == "s3":
        return S3BlobStore.from_settings(settings.s3, clock=clock)
    if settings.blob_backend == "memory":
        return MemoryBlobStore(clock=clock)
    return LocalBlobStore(settings.data_dir / "blobs", clock=clock)
