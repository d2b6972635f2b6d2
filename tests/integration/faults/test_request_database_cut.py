"""SECURITY attack 9 and R42 on intake: PostgreSQL cut off behind a loopback TCP proxy while an
attorney's integration submits a request with its signed authorization
(``POST /api/v1/requests``). Cut before the request (the sign-in lookup fails), after the
evidence blob is stored (as the release row is inserted), or just after the commit (as the
assembly is handed on), stalled or refused: the answer comes within the end-to-end budget and
matches what is stored once the database is back. Cut before the commit: 503
DATABASE_UNAVAILABLE, and no release row, no ledger entry, no evidence blob. Cut after it: 201
(the release and its blob are stored; a 503 would make a client submit it twice), and the sweep
hands it to assembly. The same submission succeeds once the proxy forwards again, without a
restart."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from gateway.auth.rules import Role
from gateway.releases.assembly import sweep_assembling
from gateway.settings import Settings
from tests.builders.requests import add_record, create_patient, request_body
from tests.fixtures.auth import session_maker
from tests.fixtures.tcp_proxy import TcpProxy
from tests.integration.faults.conftest import (
    CutAt,
    assert_unavailable,
    release_and_ledger_rows,
    within_budget,
)
from tests.integration.queue.conftest import World
from tests.integration.requests.support import caller, evidence_files, ledger_verifies

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]
CUT_POINTS = {
    "before": None,
    "blob_stored": "INSERT INTO releases",
    "after_commit": "UPDATE releases SET packet_version",
}


@pytest.mark.parametrize("cut", CUT_POINTS)
@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_a_submission_with_the_database_cut_leaves_nothing_half_written(
    proxied: tuple[World, TcpProxy], cut_at: Callable[..., CutAt], cut: str, fault: str
) -> None:
    world, proxy = proxied
    settings: Settings = world.app.state.services.settings
    attorney = await caller(world.app, world.clock, world.client, Role.ATTORNEY)
    patient = await create_patient(world.app)
    await add_record(world.app, patient)
    body = request_body(patient)
    before = await release_and_ledger_rows(world)
    assert evidence_files(settings) == []

    trigger = cut_at(proxy, fault, CUT_POINTS[cut])
    response = await within_budget(lambda: attorney.submit(body), trigger)

    proxy.restore()
    after = await release_and_ledger_rows(world)
    if cut == "after_commit":  # committed before the cut: the answer says so, all is stored
        assert response.status_code == 201, response.text[:300]
        assert after[0] == before[0] + 1
        assert len(evidence_files(settings)) == 1
        await sweep_assembling(session_maker(world.app))  # the sweep hands it on instead
        assert (await world.release(uuid.UUID(response.json()["id"]))).packet_version == 1
    else:
        assert_unavailable(response)
        assert after == before
        assert evidence_files(settings) == []
    assert (await ledger_verifies(world.app)).ok

    again = await attorney.submit(body)
    assert again.status_code == 201, again.text[:300]
    assert (await release_and_ledger_rows(world))[0] == after[0] + 1
    assert (await ledger_verifies(world.app)).ok
