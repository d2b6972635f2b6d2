"""A streaming response for downloads, without Litestar's per-response anyio task group.

Litestar's :class:`~litestar.response.Stream` runs the body in an anyio task group next to a task
waiting for ``http.disconnect``, and cancels the group when one comes: a cancel scope entered and
left, a task handle, and on every response a ``repr`` of the task when the scope is cancelled
(about 6% of the download path's event loop, bench/README.md). Here the wait for
``http.disconnect`` is one plain asyncio task, and the body is sent from the response's own task.

What a download records stays the same: the body iterator (``gateway/api/downloads.py``) decides
``download.completed`` when it has handed over its last chunk. A disconnect seen before a chunk is
sent closes the iterator (its ``finally`` records ``download.aborted``), as the cancelled task
group did; an error while sending closes it too.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator, Iterable
from typing import TYPE_CHECKING, Any, cast

from litestar.response import Stream
from litestar.response.streaming import ASGIStreamingResponse
from litestar.utils.helpers import get_enum_string_value

if TYPE_CHECKING:
    from litestar.app import Litestar
    from litestar.background_tasks import BackgroundTask, BackgroundTasks
    from litestar.connection import Request
    from litestar.datastructures.cookie import Cookie
    from litestar.enums import MediaType
    from litestar.types import HTTPResponseBodyEvent, Receive, Send, TypeEncodersMap

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

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> _ASGIDownload:
        del app, request, type_encoders  # as Stream.to_asgi_response: unused
        return _ASGIDownload(
            background=self.background or background,
            content_length=0,
            cookies=self.cookies if cookies is None else itertools.chain(self.cookies, cookies),
            encoded_headers=encoded_headers,
            encoding=self.encoding,
            headers={**headers, **self.headers} if headers is not None else self.headers,
            is_head_response=is_head_response,
            iterator=self.iterator,  # type: ignore[arg-type]
            media_type=get_enum_string_value(media_type or self.media_type or "application/pdf"),
            status_code=self.status_code or status_code,
        )
