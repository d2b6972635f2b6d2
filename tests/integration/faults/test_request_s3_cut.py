"""SECURITY attack 9 and R42 on intake: the blob store (moto behind a switchable loopback proxy)
goes dark while an attorney's integration submits a request with its signed authorization
(``POST /api/v1/requests``; the evidence is stored before the release row). The answer is 503
BLOB_STORE_UNAVAILABLE within the end-to-end budget, with no release row, no ledger entry and no
object in the bucket; when S3 comes back the same submission succeeds, without a restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.auth.rules import Role
from gateway.blobs.s3 import S3BlobStore
from gateway.settings import S3Settings
from tests.builders.requests import add_record, create_patient, request_body
from tests.fixtures.faults import Switch
from tests.integration.blobs.harness import s3_harness
from tests.integration.faults.conftest import (
    assert_unavailable,
    release_and_ledger_rows,
    within_budget,
)
from tests.integration.queue.conftest import World
from tests.integration.requests.support import caller, ledger_verifies

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


async def test_attack9_a_submission_while_s3_is_dark_is_a_503_and_stores_nothing(
    s3_world: tuple[World, Switch],
    s3_settings: S3Settings,
    s3_store_for: Callable[..., S3BlobStore],
) -> None:
    world, switch = s3_world
    bucket = s3_harness(s3_store_for(s3_settings))  # straight to moto, past the switch
    attorney = await caller(world.app, world.clock, world.client, Role.ATTORNEY)
    patient = await create_patient(world.app)
    await add_record(world.app, patient)
    body = request_body(patient)
    before = await release_and_ledger_rows(world)

    switch.down = True
    assert_unavailable(await within_budget(lambda: attorney.submit(body)), "BLOB_STORE_UNAVAILABLE")
    assert await release_and_ledger_rows(world) == before
    assert bucket.stored() == []

    switch.down = False
    again = await attorney.submit(body)
    assert again.status_code == 201, again.text[:300]
    assert (await release_and_ledger_rows(world))[0] == before[0] + 1
    assert len(bucket.stored()) == 1
    assert (await ledger_verifies(world.app)).ok
