"""Against a live gateway (uvicorn, real sockets; SECURITY.md attack 2): 64 parallel POSTs on a
one-use link give exactly one download; a client that goes away mid-stream leaves
``download.aborted``. Marked ``db``: ``ROI_TEST_DB=postgresql`` runs it on PostgreSQL too."""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.fixtures.app import LiveGateway, start_gateway
from tests.fixtures.auth import BASE_URL, build_app
from tests.integration.links.conftest import CSRF, ledger_count, link_of, released
from tests.integration.queue.conftest import World

pytestmark = [pytest.mark.db, pytest.mark.timeout(300)]
PARALLEL = 64
LIMITS = {
    "ROI_WORKFLOW__ENABLED": "false",
    "ROI_PDF__EAGER_START": "false",
    "ROI_DELIVERY__DOWNLOADS_PER_MINUTE": "100000",
    "ROI_DELIVERY__DOWNLOADS_PER_MINUTE_PER_ADDRESS": "100000",
}


@pytest.fixture
def one_use(fresh_settings: Settings) -> Settings:
    delivery = fresh_settings.delivery.model_copy(update={"max_uses": 1})
    return fresh_settings.model_copy(update={"delivery": delivery})


@pytest.fixture
def gateway(one_use: Settings, tmp_path: Path) -> Iterator[LiveGateway]:
    live = start_gateway(one_use, tmp_path / "gateway.log", env=LIMITS)
    yield live
    live.process.terminate()
    try:
        live.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        live.process.kill()


@pytest.fixture
async def seeder(one_use: Settings) -> AsyncIterator[World]:
    """An in-process app on the same database, data dir and keys, on the real time of day (the
    live gateway checks the link against its own clock)."""
    clock = FixedClock(datetime.now(UTC))
    app = build_app(one_use, clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield World(app, clock, client)
    await app.state.db_engine.dispose()


async def _form(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    """The page's CSRF token, and its cookie set on the client by hand: the cookie is
    ``Secure`` and httpx keeps it off plain http (a browser treats 127.0.0.1 as secure)."""
    page = await client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    pairs = [c.split(";", 1)[0] for c in page.headers.get_list("set-cookie")]
    client.headers["Cookie"] = "; ".join(pairs)
    return {"csrf_token": found.group(1)}


async def test_64_parallel_posts_on_a_one_use_link_give_one_download(
    gateway: LiveGateway, seeder: World
) -> None:
    release, path = await released(seeder)
    url = gateway.url + path
    async with httpx.AsyncClient(
        timeout=60, limits=httpx.Limits(max_connections=PARALLEL)
    ) as client:
        form = await _form(client, url)
        responses = await asyncio.gather(
            *(client.post(url, data=form) for _ in range(PARALLEL)), return_exceptions=True
        )
    statuses = [r.status_code if isinstance(r, httpx.Response) else repr(r) for r in responses]
    bodies = {
        r.json()["code"]
        for r in responses
        if isinstance(r, httpx.Response) and r.status_code != 200
    }
    assert statuses.count(200) == 1, (statuses, bodies)
    assert statuses.count(403) == PARALLEL - 1, statuses
    assert bodies == {"LINK_REFUSED"}
    assert (await link_of(seeder, release.id)).uses == 1
    assert await ledger_count(seeder, release.id, "download.started") == 1
    for _ in range(100):
        if await ledger_count(seeder, release.id, "download.completed") == 1:
            break
        await asyncio.sleep(0.1)
    assert await ledger_count(seeder, release.id, "download.completed") == 1
    assert await seeder.ledger_ok()


async def test_a_client_gone_mid_stream_leaves_download_aborted(
    gateway: LiveGateway, seeder: World
) -> None:
    big = b"%PDF-1.4\n" + b"0" * (32 << 20) + b"\n%%EOF\n"
    release, path = await released(seeder, data=big)
    url = gateway.url + path
    async with httpx.AsyncClient(timeout=60) as client:
        form = await _form(client, url)
        async with client.stream("POST", url, data=form) as response:
            assert response.status_code == 200
            async for _ in response.aiter_raw(65536):
                break  # the client goes away after the first chunk
    for _ in range(200):
        if await ledger_count(seeder, release.id, "download.aborted") == 1:
            break
        await asyncio.sleep(0.1)
    assert await ledger_count(seeder, release.id, "download.started") == 1
    assert await ledger_count(seeder, release.id, "download.aborted") == 1
    assert await ledger_count(seeder, release.id, "download.completed") == 0
    assert re.search(r'"event": "download.aborted"', gateway.text())
