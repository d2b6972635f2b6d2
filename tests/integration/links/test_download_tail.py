"""The end of a download (gateway/api/downloads.py): the response's last frame goes out before
``download.completed`` commits, so a keep-alive connection's next request is not held by that
commit; the exchange itself ends only once the entry is committed. Driven as raw ASGI, with the
commit of the last entry held on the writer's thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import anyio
import pytest

from gateway.releases.delivery import usage
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.links.conftest import PDF, csrf_form, ledger_count, released
from tests.integration.queue.conftest import World, world

__all__ = ["auth_app", "clock", "http", "world"]
pytestmark = pytest.mark.db  # ROI_TEST_DB=postgresql runs it on PostgreSQL too
WAIT_S = 10.0


@pytest.fixture
def held_finish(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """``usage.finish`` (run on the writer's thread) waits until the event is set."""
    release = threading.Event()
    finish: Callable[..., Any] = usage.finish

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(WAIT_S), "the test never released the commit"
        return finish(*args, **kwargs)

    monkeypatch.setattr(usage, "finish", held)
    return release


def _scope(path: str, cookie: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver.local"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }


async def test_last_frame_goes_out_before_the_completed_entry_commits(
    world: World, held_finish: threading.Event
) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    cookie = "; ".join(f"{name}={value}" for name, value in world.client.cookies.items())
    body = urlencode(form).encode()
    sent: list[dict[str, Any]] = []
    ended = threading.Event()  # seen from the test's thread
    finished = anyio.Event()  # seen from the app's event loop
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # as uvicorn: connected until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            ended.set()
            finished.set()

    async def one_exchange() -> None:
        await world.app(_scope(url, cookie, body), receive, send)  # type: ignore[arg-type]

    # on the app's own event loop (the test client's portal), as a server would run it
    exchange = world.client.blocking_portal.start_task_soon(one_exchange)
    try:
        # the old code sent this frame only after the commit, which is held here
        assert await asyncio.to_thread(ended.wait, WAIT_S), "the last frame waited for the commit"
        assert not exchange.done()  # the response's background task waits for the commit
    finally:
        held_finish.set()
    await asyncio.wait_for(asyncio.wrap_future(exchange), WAIT_S)
    assert sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body") == PDF
    assert await ledger_count(world, release.id, "download.started") == 1
    assert await ledger_count(world, release.id, "download.completed") == 1
    assert await ledger_count(world, release.id, "download.aborted") == 0


async def test_in_process_client_sees_the_completed_entry_when_the_response_returns(
    world: World,
) -> None:
    """The background task keeps the exchange open until the commit: no polling needed."""
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    for expected in (1, 2):
        assert (await world.client.post(url, data=form)).content == PDF
        assert await ledger_count(world, release.id, "download.completed") == expected
