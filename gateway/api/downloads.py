"""Streaming a started download, for the link page and the requester API alike.

The use is consumed and ``download.started`` written before this runs (committed). The body is
streamed from the blob store; when it ends, ``download.completed`` (every byte sent) or
``download.aborted`` (the client went away, or the store failed mid-way) is written by the
downloads' group commit, shielded from the request's cancellation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import structlog
from litestar.response import Stream

from gateway.releases.delivery import DeliveryDeps, Download, finish_download

log = structlog.get_logger(__name__)
PDF = "application/pdf"
# Packets are a few MiB: 1 MiB reads take a quarter of the thread hops of the store's default.
CHUNK = 1024 * 1024
DOWNLOAD_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def _record(
    deps: DeliveryDeps, download: Download, actor: str, *, completed: bool, sent: int
) -> None:
    try:
        await finish_download(deps, download, actor, completed=completed, sent=sent)
    except Exception as exc:  # noqa: BLE001 - the stream is over; the failure is only logged
        log.warning(
            "delivery.finish_failed", download_id=str(download.id), error=type(exc).__name__
        )


async def _body(
    deps: DeliveryDeps,
    download: Download,
    actor: str,
    first: bytes,
    rest: AsyncIterator[bytes],
) -> AsyncIterator[bytes]:
    sent, completed = 0, False
    try:
        if first:
            yield first
            sent += len(first)
        async for chunk in rest:
            yield chunk
            sent += len(chunk)
        completed = sent == download.size
    finally:
        event = "download.completed" if completed else "download.aborted"
        log.info(event, download_id=str(download.id), link_id=str(download.link_id))
        await asyncio.shield(_record(deps, download, actor, completed=completed, sent=sent))


async def stream_download(deps: DeliveryDeps, download: Download, actor: str) -> Stream:
    """The first chunk is read before the response starts: a blob store that is down gives a
    503 (BLOB_STORE_UNAVAILABLE) with ``download.aborted`` recorded, not a 200 head and a
    broken body."""
    chunks = aiter(deps.blobs.stream(download.blob_key, chunk_size=CHUNK))
    try:
        first = await anext(chunks, b"")
    except BaseException:
        log.info("download.aborted", download_id=str(download.id), link_id=str(download.link_id))
        await asyncio.shield(_record(deps, download, actor, completed=False, sent=0))
        raise
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": f'attachment; filename="{download.filename}"',
        "Content-Length": str(download.size),
    }
    return Stream(_body(deps, download, actor, first, chunks), media_type=PDF, headers=headers)
