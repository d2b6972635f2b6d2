"""A link bound to its recipient (``ROI_DELIVERY__CODE_REQUIRED``): the code is mailed, five wrong
codes lock the link, the right one gives the proof cookie, a code expires and works once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, build_app, clock
from tests.integration.links.conftest import (
    PDF,
    csrf_form,
    ledger_count,
    link_of,
    mailed_codes,
    refused,
    released,
)
from tests.integration.queue.conftest import World

__all__ = ["clock"]


@pytest.fixture
async def bound(fresh_settings: Settings, clock: FixedClock) -> AsyncIterator[World]:
    delivery = fresh_settings.delivery.model_copy(update={"code_required": True})
    app = build_app(fresh_settings.model_copy(update={"delivery": delivery}), clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield World(app, clock, client)
    await app.state.db_engine.dispose()


async def _send(world: World, url: str, form: dict[str, str]) -> str:
    sent = await world.client.post(f"{url}/code", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return mailed_codes(world)[-1]


async def _verify(world: World, url: str, form: dict[str, str], code: str) -> int:
    response = await world.client.post(
        f"{url}/verify", data={**form, "code": code}, follow_redirects=False
    )
    return response.status_code


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_right_code_gives_the_proof_and_the_download_works(bound: World) -> None:
    release, url = await released(bound)
    form = await csrf_form(bound.client, url)
    page = await bound.client.get(url, headers={"Accept": "text/html"})
    assert "Send me a code" in page.text
    refused(await bound.client.post(url, data=form))  # no proof yet
    code = await _send(bound, url, form)
    assert (await link_of(bound, release.id)).code_sent_count == 1
    assert await _verify(bound, url, form, code) == 303
    assert any(name.endswith("link_proof") for name in bound.client.cookies)
    got = await bound.client.post(url, data=form)
    assert got.status_code == 200, got.text
    assert got.content == PDF
    assert await _verify(bound, url, form, code) == 403  # single use


async def test_five_wrong_codes_lock_the_link(bound: World) -> None:
    release, url = await released(bound)
    form = await csrf_form(bound.client, url)
    code = await _send(bound, url, form)
    for _ in range(5):
        assert await _verify(bound, url, form, _wrong(code)) == 403
    link = await link_of(bound, release.id)
    assert link.locked_at is not None
    assert link.code_attempts == 5
    refused(await bound.client.get(url))
    refused(await bound.client.post(f"{url}/verify", data={**form, "code": code}))
    assert await ledger_count(bound, release.id, "download.started") == 0


async def test_an_expired_code_is_refused(bound: World) -> None:
    release, url = await released(bound)
    form = await csrf_form(bound.client, url)
    code = await _send(bound, url, form)
    bound.clock.advance(timedelta(minutes=11))
    assert await _verify(bound, url, form, code) == 403
    refused(await bound.client.post(url, data=form))
    assert (await link_of(bound, release.id)).uses == 0


async def test_code_sending_is_rate_limited(bound: World) -> None:
    _, url = await released(bound)
    form = await csrf_form(bound.client, url)
    for _ in range(3):
        await _send(bound, url, form)
    limited = await bound.client.post(f"{url}/code", data=form)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert len(mailed_codes(bound)) == 3


@pytest.mark.db
async def test_code_limits_hold_across_processes(bound: World) -> None:
    """Two web processes on one database share the budget of code sends (3 per link in 10
    minutes) and of code tries per address: a second process does not get three more."""
    _, url = await released(bound)
    settings = bound.app.state.settings
    other = build_app(settings, bound.clock)
    async with AsyncTestClient(other, base_url=BASE_URL) as second:
        forms = [await csrf_form(bound.client, url), await csrf_form(second, url)]
        for index in range(3):
            client = (bound.client, second)[index % 2]
            sent = await client.post(f"{url}/code", data=forms[index % 2], follow_redirects=False)
            assert sent.status_code == 303, sent.text
        for client, form in zip((bound.client, second), forms, strict=True):
            limited = await client.post(f"{url}/code", data=form)
            assert limited.status_code == 429, limited.text
            assert int(limited.headers["retry-after"]) >= 1
        assert len(mailed_codes(bound)) == 3
        bound.clock.advance(timedelta(minutes=10, seconds=1))
        sent = await second.post(f"{url}/code", data=forms[1], follow_redirects=False)
        assert sent.status_code == 303, sent.text
    await other.state.db_engine.dispose()


async def test_a_forged_token_still_counts_against_the_address(bound: World) -> None:
    _, url = await released(bound)
    form = await csrf_form(bound.client, url)
    forged = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    for _ in range(3):
        refused(await bound.client.post(f"{forged}/code", data=form))
    limited = await bound.client.post(f"{url}/code", data=form)
    assert limited.status_code == 429, limited.text
    assert mailed_codes(bound) == []
