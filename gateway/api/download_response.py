"""A streaming response for downloads, without Litestar's per-response anyio task group.

Litestar's :class:`~litestar.response.Stream` runs the body in an anyio task group next to a task
waiting for ``http.disconnect``, and cancels the group when one comes: a cancel scope entered and
left, a task handle, and on every response a ``repr`` of the task when the scope is cancelled
(6-7% of the GIL time of the download path on PostgreSQL in a py-spy profile,
bench/README.md). Here the wait for
``http.disconnect`` is one plain asyncio task, and the body is sent from the response's own task.

What a download records stays the same: the body iterator (``gateway/api/downloads.py``) decides
``download.completed`` when it has handed over its last chunk. A disconnect seen before a chunk is
sent closes the iterator (its ``finally`` records ``download.aborted``), as the cancelled task
group did; an error while sending closes it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from litestar.response import Stream
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse

if TYPE_CHECKING:
    from litestar.types import HTTPResponseBodyEvent, Receive, Send

LAST_FRAME: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}


async def _disconnected(receive: Receive) -> None:
    """Returns when the client is gone (or the server cannot say: a failing ``receive``)."""
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except Exception:  # noqa: BLE001 - the send loop stops at the next chunk either way
        return


class _ASGIDownload(ASGIStreamingResponse):
    __slots__ = ()

    async def send_body(self, send: Send, receive: Receive) -> None:
        body = cast("AsyncGenerator[bytes, None]", self.iterator)  # DownloadStream's only
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            async for chunk in body:
                if gone.done():
                    break
                event: HTTPResponseBodyEvent = {
                    "type": "http.response.body",
                    "body": chunk,
                    "more_body": True,
                }
                await send(event)
            else:
                await send(LAST_FRAME)
        finally:
            gone.cancel()
            await body.aclose()  # nothing to do after the last chunk; else its finally runs now


class DownloadStream(Stream):
    """A :class:`Stream` of one async generator of bytes, sent by :class:`_ASGIDownload`."""

    __slots__ = ()

    def __init__(self, content: AsyncGenerator[bytes, None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIResponse:
        """Litestar's own streaming response (headers, cookies, media type and background
        merged as for any :class:`Stream`), sent by :class:`_ASGIDownload`: same slots, only
        ``send_body`` differs, so the class is swapped instead of copying Litestar's builder."""
        response = super().to_asgi_response(*args, **kwargs)
        response.__class__ = _ASGIDownload
        return response
