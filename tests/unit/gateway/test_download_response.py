"""The download response sends its body from its own task and stops at a disconnect: the body
generator is closed (its ``finally`` is where a download records ``download.aborted``) and no
last frame goes out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from litestar.types import Message

from gateway.api.download_response import LAST_FRAME, DownloadStream

pytestmark = pytest.mark.anyio


class Body:
    """Three chunks; remembers how it ended."""

    def __init__(self) -> None:
        self.ended: str | None = None

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        try:
            for part in (b"a", b"b", b"c"):
                yield part
            self.ended = "exhausted"
        finally:
            self.ended = self.ended or "closed"


def asgi(body: Body) -> Any:
    stream = DownloadStream(body.chunks(), media_type="application/pdf")
    return stream.to_asgi_response(None, None)


async def never_disconnects() -> Message:
    await asyncio.Event().wait()
    raise AssertionError


async def test_every_chunk_then_the_last_frame_and_the_listener_is_stopped() -> None:
    body, sent = Body(), list[Any]()
    listeners_before = len(asyncio.all_tasks())

    async def send(message: Any) -> None:
        sent.append(message)

    await asgi(body).send_body(send, never_disconnects)
    await asyncio.sleep(0)  # the cancelled listener finishes

    assert [m["body"] for m in sent] == [b"a", b"b", b"c", b""]
    assert sent[-1] == LAST_FRAME
    assert all(m["more_body"] for m in sent[:-1])
    assert body.ended == "exhausted"
    assert len(asyncio.all_tasks()) == listeners_before


async def test_a_disconnect_closes_the_body_and_sends_nothing_more() -> None:
    body, sent = Body(), list[Any]()

    async def send(message: Any) -> None:
        sent.append(message)
        await asyncio.sleep(0)  # the server writes; meanwhile the client goes away

    async def disconnect() -> Message:
        return {"type": "http.disconnect"}

    await asgi(body).send_body(send, disconnect)

    assert [m["body"] for m in sent] == [b"a"]
    assert body.ended == "closed"


async def test_a_failing_send_closes_the_body_and_raises() -> None:
    body = Body()

    async def send(message: Any) -> None:
        raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        await asgi(body).send_body(send, never_disconnects)
    assert body.ended == "closed"


async def test_a_failing_receive_counts_as_a_disconnect() -> None:
    body, sent = Body(), list[Any]()

    async def send(message: Any) -> None:
        sent.append(message)
        await asyncio.sleep(0)

    async def broken() -> Message:
        raise RuntimeError("receive failed")

    await asgi(body).send_body(send, broken)

    assert [m["body"] for m in sent] == [b"a"]
    assert body.ended == "closed"
