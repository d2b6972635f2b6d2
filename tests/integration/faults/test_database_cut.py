"""SECURITY attack 9 and R42: PostgreSQL cut off behind a loopback TCP proxy (the server itself
stays up). Listing the queue, approving and the sign-in lookup of a token answer 503
DATABASE_UNAVAILABLE within the end-to-end budget, whether the connections stall (no RST: only a
client-side deadline notices) or are refused; nothing is half-written (the release is untouched,
the ledger verifies); and once the proxy forwards again the same requests succeed, without a
restart."""

from __future__ import annotations

import pytest

from gateway.auth.rules import Role
from tests.builders.approval import create_release
from tests.fixtures.tcp_proxy import TcpProxy
from tests.integration.faults.conftest import END_TO_END_BUDGET_S, timed
from tests.integration.queue.conftest import QUEUE, World

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]


@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_a_cut_database_gives_503_in_time_and_recovers(
    proxied: tuple[World, TcpProxy], fault: str
) -> None:
    world, proxy = proxied
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    release = await world.run(lambda s: create_release(s, opened_by=preparer.user.id))
    events_before = await world.events(release.id)

    def approve() -> object:
        return approver.act(release, "approve")

    def list_queue() -> object:
        return approver.get(QUEUE)

    getattr(proxy, fault)()
    for call in (list_queue, approve, list_queue):
        response, took = await timed(call)
        assert (response.status_code, response.json()["code"]) == (
            503,
            "DATABASE_UNAVAILABLE",
        ), response.text
        assert took < END_TO_END_BUDGET_S, took
        assert response.headers["retry-after"]

    proxy.restore()
    listed = await approver.get(QUEUE)
    assert listed.status_code == 200, listed.text
    assert (await world.release(release.id)).state == "in_review"  # the cut approval left nothing
    assert await world.events(release.id) == events_before
    approved = await approve()  # type: ignore[misc]
    assert approved.status_code == 200, approved.text
    assert (await world.release(release.id)).state != "in_review"
    assert await world.ledger_ok()
