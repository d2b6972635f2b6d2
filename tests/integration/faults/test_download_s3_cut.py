"""SECURITY attack 9 and R42 on the delivery path: the blob store (moto behind a switchable
loopback proxy) goes dark while a recipient downloads. The POST answers 503 within the
end-to-end budget and is never recorded as a completed download: either no use was consumed, or
the use is closed by download.aborted. When S3 comes back the same link downloads, without a
restart, and the ledger verifies."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from gateway.auth.rules import Role
from gateway.releases.delivery import DeliveryLink
from gateway.releases.delivery.pipeline import sweep_delivery
from tests.fixtures.faults import Switch
from tests.integration.faults.conftest import END_TO_END_BUDGET_S
from tests.integration.links.test_delivery_flow import PDF, _approved_release, _mailed_tokens
from tests.integration.queue.conftest import World

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


async def test_attack9_s3_dark_during_a_download_never_completes_it(
    s3_world: tuple[World, Switch],
) -> None:
    world, switch = s3_world
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    release = await _approved_release(world, preparer.user.id)
    approved = await approver.act(release, "approve")
    assert approved.status_code == 200, approved.text
    services = world.app.state.services
    (token,) = _mailed_tokens(services.settings.data_dir / "outbox")
    url = f"/l/{token}"
    page = await world.client.get(url, headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf_token": csrf.group(1)}

    switch.down = True
    started = time.monotonic()
    failed = await world.client.post(url, data=form)
    took = time.monotonic() - started
    assert took < END_TO_END_BUDGET_S, took
    assert failed.status_code == 503, (failed.status_code, failed.text[:200])
    assert failed.json()["code"] == "BLOB_STORE_UNAVAILABLE"
    events = await world.events(release.id)
    assert "download.completed" not in events
    link = await world.run(lambda s: s.scalar(select(DeliveryLink)))
    assert link is not None
    assert link.uses == 0 or events.count("download.aborted") == link.uses, (link.uses, events)

    switch.down = False
    got = await world.client.post(url, data=form)
    assert got.status_code == 200, got.text[:200]
    assert got.content == PDF
    assert (await world.events(release.id)).count("download.completed") == 1
    assert await world.ledger_ok()


async def test_attack9_approval_while_s3_is_dark_issues_no_link_and_recovers(
    s3_world: tuple[World, Switch],
) -> None:
    """The link is issued only for a packet whose stored SHA-256 is confirmed: with S3 dark the
    approval answers 503 in time (or commits the approval and issues no link), no link row and
    no mail exist, and the approval goes through once S3 returns."""
    world, switch = s3_world
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    release = await _approved_release(world, preparer.user.id)
    outbox = world.app.state.services.settings.data_dir / "outbox"

    switch.down = True
    started = time.monotonic()
    cut = await approver.act(release, "approve")
    took = time.monotonic() - started
    assert took < END_TO_END_BUDGET_S, took
    assert cut.status_code in {200, 503}, cut.text[:300]
    if cut.status_code == 503:
        assert cut.json()["code"] == "BLOB_STORE_UNAVAILABLE", cut.text[:300]
        assert (await world.release(release.id)).state == "in_review"
    assert await world.run(lambda s: s.scalar(select(DeliveryLink))) is None
    assert _mailed_tokens(outbox) == []
    assert "link.issued" not in await world.events(release.id)

    switch.down = False
    if cut.status_code == 503:
        again = await approver.act(await world.release(release.id), "approve")
        assert again.status_code == 200, again.text[:300]
    else:  # approved, link pending: the delivery sweep issues it once S3 is back
        assert (await world.release(release.id)).state == "approved"
        await sweep_delivery(world.app.state.services.delivery)
    assert len(_mailed_tokens(outbox)) == 1
    assert (await world.release(release.id)).state == "released"
    assert await world.ledger_ok()
