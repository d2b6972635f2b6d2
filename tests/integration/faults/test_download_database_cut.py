"""SECURITY attack 9 and R42 on the download path: PostgreSQL cut off behind a loopback TCP proxy
while a link holder (``POST /l/{token}``) or a signed-in requester
(``POST /api/v1/requests/{id}/download``) downloads. Cut before the request, or in the middle of
the use's transaction (the conditional UPDATE went through, the ledger write is next), stalled or
refused: 503 DATABASE_UNAVAILABLE within the end-to-end budget; once the database is back no use
is consumed and no ``download.started`` is left behind; the ledger verifies; and the same
download succeeds once the proxy forwards again, without a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from gateway.releases.models import Release
from tests.fixtures.tcp_proxy import TcpProxy
from tests.integration.faults.conftest import CutAt, assert_unavailable, within_budget
from tests.integration.links.conftest import (
    PDF,
    csrf_form,
    ledger_count,
    link_of,
    released,
    requester,
)
from tests.integration.queue.conftest import World

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]
# where the cut happens: before the request, or as the use's ledger entry is about to be written
# (the downloads' group commit appends a batch's entries with one call: gateway/ledger/batch.py)
CUT_POINTS = {"before": None, "mid_write": "SELECT * FROM ledger_append_entries"}

Download = Callable[[], Awaitable[httpx.Response]]


async def link_holder(world: World) -> tuple[Release, Download]:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    return release, lambda: world.client.post(url, data=form)


async def signed_in_requester(world: World) -> tuple[Release, Download]:
    person = await requester(world)
    release, _ = await released(world, organisation_id=person.user.organisation_id)
    url = f"/api/v1/requests/{release.id}/download"
    return release, lambda: world.client.post(url, headers=person.headers)


@pytest.mark.parametrize("who", [link_holder, signed_in_requester], ids=["link", "requester"])
@pytest.mark.parametrize("cut", CUT_POINTS)
@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_a_download_with_the_database_cut_is_a_503_and_consumes_nothing(
    proxied: tuple[World, TcpProxy],
    cut_at: Callable[..., CutAt],
    who: Callable[[World], Awaitable[tuple[Release, Download]]],
    cut: str,
    fault: str,
) -> None:
    world, proxy = proxied
    release, download = await who(world)
    release_id = release.id
    entries = await ledger_count(world, release_id)

    trigger = cut_at(proxy, fault, CUT_POINTS[cut])
    assert_unavailable(await within_budget(download, trigger))
    if cut == "mid_write":  # the use was counted in the transaction the cut broke
        assert any(sql.startswith("UPDATE delivery_links SET uses") for sql in trigger.sent)

    proxy.restore()
    assert (await link_of(world, release_id)).uses == 0
    assert await ledger_count(world, release_id, "download.started") == 0
    assert await ledger_count(world, release_id) == entries
    assert await world.ledger_ok()

    got = await download()
    assert got.status_code == 200, got.text[:300]
    assert got.content == PDF
    assert (await link_of(world, release_id)).uses == 1
    assert await ledger_count(world, release_id, "download.completed") == 1
    assert await world.ledger_ok()
