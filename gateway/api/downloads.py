"""Streaming a started download, for the link page and the requester API alike.

The use is consumed and ``download.started`` written before this runs (committed). The body is
streamed from the blob store; when it ends, ``download.completed`` (every byte sent) or
``download.aborted`` (the client went away, or the store failed mid-way) is queued for the
downloads' group commit at once, whatever happens to the request afterwards.

A completed download does not hold its connection for that commit: the last byte and the end of
the response go out first, and the response's background task waits for the commit. A client
reusing the connection (keep-alive) has its next request served meanwhile; the exchange itself
(and so an in-process test client) still ends only once the entry is committed. Without this the
next request on the connection waited for a commit it had nothing to do with (0.42 -> 0.46-0.47
of the bare route's rate on SQLite, bench/README.md).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial

import structlog
from litestar.background_tasks import BackgroundTask

from gateway.api.download_response import DownloadStream
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


def _finish(
    deps: DeliveryDeps, download: Download, actor: str, *, completed: bool, sent: int
) -> asyncio.Future[None]:
    """The download's last entry, queued now; a failure to commit it is logged (the stream is
    over, nobody else is told)."""
    finished = finish_download(deps, download, actor, completed=completed, sent=sent)
    finished.add_done_callback(partial(_log_failure, download.id))
    return finished


def _log_failure(download_id: uuid.UUID, finished: asyncio.Future[None]) -> None:
    if finished.cancelled():
        error = "CancelledError"
    elif (exc := finished.exception()) is not None:
        error = type(exc).__name__
    else:
        return
    log.warning("delivery.finish_failed", download_id=str(download_id), error=error)


async def _settled(finishing: list[asyncio.Future[None]]) -> None:
    """Wait for the last entries' commits (their failures are logged, not raised). Cancelling
    the wait leaves the work queued."""
    if finishing:
        await asyncio.wait(finishing)


async def _body(
    deps: DeliveryDeps,
    download: Download,
    actor: str,
    chunks: tuple[bytes, AsyncIterator[bytes]],
    finishing: list[asyncio.Future[None]],
) -> AsyncGenerator[bytes, None]:
    first, rest = chunks
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
        finished = _finish(deps, download, actor, completed=completed, sent=sent)
        if completed:
            finishing.append(finished)  # awaited by the background task, after the last frame
        else:  # the exchange failed: it ends with the entry committed
            await _settled([finished])


async def stream_download(deps: DeliveryDeps, download: Download, actor: str) -> DownloadStream:
    """The first chunk is read before the response starts: a blob store that is down gives a
    503 (BLOB_STORE_UNAVAILABLE) with ``download.aborted`` recorded, not a 200 head and a
    broken body."""
    chunks = aiter(deps.blobs.stream(download.blob_key, chunk_size=CHUNK))
    try:
        first = await anext(chunks, b"")
    except BaseException:
        log.info("download.aborted", download_id=str(download.id), link_id=str(download.link_id))
        await _settled([_finish(deps, download, actor, completed=False, sent=0)])
        raise
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": f'attachment; filename="{download.filename}"',
        "Content-Length": str(download.size),
    }
    finishing: list[asyncio.Future[None]] = []
    body = _body(deps, download, actor, (first, chunks), finishing)
    return DownloadStream(
        body, media_type=PDF, headers=headers, background=BackgroundTask(_settled, finishing)
    )
