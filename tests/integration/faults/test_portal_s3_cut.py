"""SECURITY attack 9 and R42 on the request portal: the blob store (moto behind a switchable
loopback proxy) goes dark while a requester signed in through the web form submits a request with
its signed authorization (``POST /portal/requests``; the evidence is stored before the release
row), the HTML twin of ``test_request_s3_cut.py``. The answer is a 503 HTML page within the
end-to-end budget, without a stack trace, with no release row, no ledger entry and no object in
the bucket; when S3 comes back the same submission succeeds, without a restart. Like every 503 it
says when to retry (``Retry-After``) and that nothing was saved."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gateway.blobs.s3 import S3BlobStore
from gateway.settings import S3Settings
from tests.builders.requests import add_record, create_patient
from tests.fixtures.faults import Switch
from tests.integration.blobs.harness import Harness, s3_harness
from tests.integration.faults.conftest import (
    release_and_ledger_rows,
    within_budget,
)
from tests.integration.portal.helpers import Portal, form_fields, portal_as, release_id_of
from tests.integration.queue.conftest import World
from tests.integration.requests.support import ledger_verifies

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


async def dark_submission(
    world: World, switch: Switch, bucket: Harness
) -> tuple[Portal, dict[str, object], httpx.Response]:
    """Submit from the portal while S3 is dark; check the answer's timing and that nothing is
    stored, then bring S3 back."""
    patient = await create_patient(world.app)
    await add_record(world.app, patient)
    portal = await portal_as(world.app, world.clock, world.client)
    fields = form_fields(patient.mrn)
    before = await release_and_ledger_rows(world)

    switch.down = True
    response = await within_budget(lambda: portal.submit(fields))
    assert await release_and_ledger_rows(world) == before
    assert bucket.stored() == []
    switch.down = False
    return portal, fields, response


async def test_attack9_a_portal_submission_while_s3_is_dark_is_a_503_and_stores_nothing(
    s3_world: tuple[World, Switch],
    s3_settings: S3Settings,
    s3_store_for: Callable[..., S3BlobStore],
) -> None:
    world, switch = s3_world
    bucket = s3_harness(s3_store_for(s3_settings))  # straight to moto, past the switch
    releases, _ = await release_and_ledger_rows(world)
    portal, fields, response = await dark_submission(world, switch, bucket)
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert "BLOB_STORE_UNAVAILABLE" in response.text  # the reason code, for support
    for leak in ("Traceback", "EndpointConnectionError", "botocore", "ReadTimeout"):
        assert leak not in response.text, leak

    again = await portal.submit(fields)
    release_id_of(again)  # 303 to the new request's page
    assert (await release_and_ledger_rows(world))[0] == releases + 1
    assert len(bucket.stored()) == 1
    assert (await ledger_verifies(world.app)).ok


async def test_attack9_the_portals_503_while_s3_is_dark_says_when_to_retry(
    s3_world: tuple[World, Switch],
    s3_settings: S3Settings,
    s3_store_for: Callable[..., S3BlobStore],
) -> None:
    world, switch = s3_world
    bucket = s3_harness(s3_store_for(s3_settings))
    _, _, response = await dark_submission(world, switch, bucket)
    assert response.status_code == 503, response.text[:300]
    assert response.headers.get("retry-after"), response.headers
    assert "nothing was saved" in response.text
    assert "The request was refused." not in response.text
