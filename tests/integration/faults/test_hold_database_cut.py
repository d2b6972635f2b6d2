"""SECURITY attack 9 and R42 on taking a release off hold: PostgreSQL cut off behind a loopback
TCP proxy while staff resume a held release (``POST /api/v1/queue/{id}/resume``) or the
requester answers a hold that waits on them (``POST /api/v1/requests/{id}/answer``). Both commit
the move to ``assembling``, then hand the release to assembly (``commit_then_assemble``). Cut
before the commit (as the release is moved, or as the move's transition row is inserted),
stalled or refused: 503 DATABASE_UNAVAILABLE within the end-to-end budget, and once the database
is back the release is still held with no new transition and no new ledger entry; the same action
then succeeds. Cut just after the commit (as the assembly claims its packet version): the
action's success (a 503 would make a client do it twice), the move is stored,
``assembly.enqueue_failed`` is logged, and the sweep hands the release to assembly."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from gateway.auth.rules import Role
from gateway.releases.assembly import sweep_assembling
from gateway.releases.models import ReleaseTransition
from tests.builders.requests import add_record, create_patient, request_body
from tests.fixtures.auth import session_maker
from tests.fixtures.tcp_proxy import TcpProxy
from tests.integration.faults.conftest import CutAt, assert_unavailable, within_budget
from tests.integration.links.conftest import count
from tests.integration.queue.conftest import World
from tests.integration.requests.support import REQUESTS, caller, ledger_verifies
from tests.integration.requests.test_answer import UNKNOWN
from tests.integration.requests.test_resume import resume_url

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]
# where the cut happens: as the release leaves on_hold, as that move's transition row is written
# (both before the commit), or as the assembly claims the packet version (just after it)
CUT_POINTS = {
    "move": "UPDATE releases SET state",
    "transition": "INSERT INTO release_transitions",
    "after_commit": "UPDATE releases SET packet_version",
}


@dataclass
class HoldAction:
    """A held release and the call that takes it off hold (to ``assembling``)."""

    release_id: uuid.UUID
    call: Callable[[], Awaitable[httpx.Response]]
    sent_state: str  # the state the success body shows


async def staff_resume(world: World) -> HoldAction:
    """Held for NO_RECORDS_IN_SCOPE; the record arrived, a specialist resumes it."""
    attorney = await caller(world.app, world.clock, world.client, Role.ATTORNEY)
    specialist = await caller(world.app, world.clock, world.client, Role.SPECIALIST)
    patient = await create_patient(world.app)
    held = (await attorney.submit(request_body(patient))).json()
    assert held["state"] == "on_hold", held
    await add_record(world.app, patient)
    release_id = uuid.UUID(held["id"])
    body = {"row_version": (await world.release(release_id)).row_version}
    return HoldAction(
        release_id, lambda: specialist.post(resume_url(str(release_id)), body), "assembling"
    )


async def requester_answer(world: World) -> HoldAction:
    """Held for PATIENT_NOT_MATCHED; the requester answers with the patient's MRN."""
    attorney = await caller(world.app, world.clock, world.client, Role.ATTORNEY)
    patient = await create_patient(world.app)
    await add_record(world.app, patient)
    held = (await attorney.submit(request_body(UNKNOWN))).json()
    assert held["waiting_on"] == "requester", held
    release_id = uuid.UUID(held["id"])
    part = json.dumps({"patient": {"mrn": patient.mrn}}).encode()
    files: dict[str, Any] = {"answer": (None, part, "application/json")}
    url = f"{REQUESTS}/{release_id}/answer"
    return HoldAction(
        release_id,
        lambda: world.client.post(url, files=files, headers=attorney.headers),
        "in_preparation",
    )


async def transitions(world: World, release_id: uuid.UUID) -> int:
    return await count(world, ReleaseTransition, release_id=release_id)


@pytest.mark.parametrize("action", [staff_resume, requester_answer], ids=["resume", "answer"])
@pytest.mark.parametrize("cut", CUT_POINTS)
@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_taking_a_release_off_hold_with_the_database_cut_leaves_nothing_half_written(
    proxied: tuple[World, TcpProxy],
    cut_at: Callable[..., CutAt],
    action: Callable[[World], Awaitable[HoldAction]],
    cut: str,
    fault: str,
) -> None:
    world, proxy = proxied
    hold = await action(world)
    before = await world.release(hold.release_id)
    moves, events = await transitions(world, hold.release_id), await world.events(hold.release_id)

    trigger = cut_at(proxy, fault, CUT_POINTS[cut])
    with capture_logs() as logs:
        response = await within_budget(hold.call, trigger)
    if cut != "move":  # the move went through in the transaction the cut broke (or committed)
        assert any(sql.startswith("UPDATE releases SET state") for sql in trigger.sent)
    failed = [e for e in logs if e["event"] == "assembly.enqueue_failed"]

    proxy.restore()
    after = await world.release(hold.release_id)
    if cut == "after_commit":  # committed before the cut: the answer says so, all is stored
        assert response.status_code == 200, response.text[:300]
        assert response.json()["state"] == hold.sent_state
        assert [e["release_id"] for e in failed] == [str(hold.release_id)], logs
        assert (after.state, after.packet_version) == ("assembling", 0)
        assert await transitions(world, hold.release_id) == moves + 2  # checking, assembling
        assert (await world.events(hold.release_id))[-1] == "release.assembling"
        await sweep_assembling(session_maker(world.app))  # the sweep hands it on instead
        assert (await world.release(hold.release_id)).packet_version == 1
    else:
        assert_unavailable(response)
        assert failed == []
        assert (after.state, after.row_version) == ("on_hold", before.row_version)
        assert (after.patient_id, after.patient_claim) == (before.patient_id, before.patient_claim)
        assert await transitions(world, hold.release_id) == moves
        assert await world.events(hold.release_id) == events
        assert (await ledger_verifies(world.app)).ok

        again = await hold.call()
        assert again.status_code == 200, again.text[:300]
        assert again.json()["state"] == hold.sent_state
        assert (await world.release(hold.release_id)).state == "assembling"
    assert (await ledger_verifies(world.app)).ok
