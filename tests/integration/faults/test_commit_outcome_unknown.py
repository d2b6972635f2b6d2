"""The fault no retry logic can see through: PostgreSQL commits a request, and the reply to the
``COMMIT`` is lost (the loopback proxy drops the server's answers from that moment). The client
gets 503 ``DATABASE_UNAVAILABLE`` within the end-to-end budget although the request is stored,
with its evidence blob, and whole. What makes that safe is the ``Idempotency-Key``: the client
retries with the same key and body and gets the stored answer (201, the same release), not a
second request; the sweep hands the release to assembly, whose enqueue the failure skipped."""

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
    LoseReplyAtCommit,
    assert_unavailable,
    release_and_ledger_rows,
    within_budget,
)
from tests.integration.queue.conftest import World
from tests.integration.requests.support import caller, evidence_files, ledger_verifies

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]


async def test_a_lost_commit_reply_is_a_503_and_the_retry_with_its_key_gets_the_stored_answer(
    proxied: tuple[World, TcpProxy],
    lose_reply_at_commit: Callable[..., LoseReplyAtCommit],
) -> None:
    world, proxy = proxied
    settings: Settings = world.app.state.services.settings
    attorney = await caller(world.app, world.clock, world.client, Role.ATTORNEY)
    patient = await create_patient(world.app)
    await add_record(world.app, patient)
    body, key = request_body(patient), f"retry-{uuid.uuid4()}"
    before = await release_and_ledger_rows(world)

    trigger = lose_reply_at_commit(proxy, "INSERT INTO releases")
    assert_unavailable(await within_budget(lambda: attorney.submit(body, key=key), trigger))

    proxy.restore()
    stored, entries = await release_and_ledger_rows(world)
    assert stored == before[0] + 1  # the server did commit: the outcome the client could not see
    assert entries > before[1]
    assert len(evidence_files(settings)) == 1  # kept: the committed row points at it
    assert (await ledger_verifies(world.app)).ok

    again = await attorney.submit(body, key=key)
    assert again.status_code == 201, again.text[:300]
    release_id = uuid.UUID(again.json()["id"])
    assert await release_and_ledger_rows(world) == (stored, entries)  # a replay, not a second
    assert len(evidence_files(settings)) == 1
    await sweep_assembling(session_maker(world.app))
    assert (await world.release(release_id)).packet_version == 1
    assert (await ledger_verifies(world.app)).ok
