"""SECURITY attack 9 and R42 on the request portal: PostgreSQL cut off behind a loopback TCP proxy
while a requester signed in through the web form submits a request with its signed authorization
(``POST /portal/requests``) or downloads its released packet
(``POST /portal/requests/{id}/download``), the HTML twins of ``test_request_database_cut.py``
and ``test_download_database_cut.py``.

Submission, cut before the request (the session lookup fails) or after the evidence blob is
stored (as the release row is inserted), stalled or refused: a 503 HTML error page within the
end-to-end budget, with ``Retry-After``, no stack trace and nothing typed on the form (the
patient's MRN and family name), and no release row, no ledger entry, no evidence blob. Download,
cut before the request or in the middle of the use's transaction (the conditional UPDATE went
through, the ledger write is next): a 503 HTML error page within the budget; no use consumed, no
``download.started``, the ledger verifies. Once the proxy forwards again the same submission and
the same download succeed, without a restart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest

from tests.builders.requests import add_record, create_patient
from tests.fixtures.tcp_proxy import TcpProxy
from tests.integration.faults.conftest import (
    CutAt,
    release_and_ledger_rows,
    within_budget,
)
from tests.integration.links.conftest import PDF, ledger_count, link_of, released
from tests.integration.portal.helpers import form_fields, portal_as, release_id_of
from tests.integration.queue.conftest import World
from tests.integration.requests.support import evidence_files, ledger_verifies

# PostgreSQL only: deselected on the SQLite pass (not skipped), run by the PostgreSQL pass.
pytestmark = [pytest.mark.db, pytest.mark.only_backend("postgresql"), pytest.mark.timeout(180)]
# where the submission is cut: before the request, or after the evidence blob is stored
SUBMIT_CUTS = {"before": None, "blob_stored": "INSERT INTO releases"}
# where the download is cut: before the request, or as the use's ledger entry is about to be written
DOWNLOAD_CUTS = {"before": None, "mid_write": "SELECT * FROM ledger_append_entries"}
FAMILY = "Zzyzxcutoff"  # a family name that appears nowhere else


def unavailable_page(response: httpx.Response, *typed: str) -> None:
    """The browser's 503 error page: HTML, retry later, no stack trace, nothing that was typed."""
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert response.headers["retry-after"]
    assert "Service unavailable" in response.text
    for leak in ("Traceback", "OperationalError", "psycopg", "INSERT INTO", "SELECT "):
        assert leak not in response.text, leak
    for value in typed:
        assert value not in response.text, value


@pytest.mark.parametrize("cut", SUBMIT_CUTS)
@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_a_portal_submission_with_the_database_cut_leaves_nothing_half_written(
    proxied: tuple[World, TcpProxy], cut_at: Callable[..., CutAt], cut: str, fault: str
) -> None:
    world, proxy = proxied
    settings = world.app.state.services.settings
    patient = await create_patient(world.app, family=FAMILY, birth=date(1980, 1, 2))
    await add_record(world.app, patient)
    portal = await portal_as(world.app, world.clock, world.client)
    fields = form_fields(
        patient.mrn,
        family_name=FAMILY,
        given_name=patient.given_name,
        birth_date=patient.birth_date.isoformat(),
    )
    before = await release_and_ledger_rows(world)
    assert evidence_files(settings) == []

    trigger = cut_at(proxy, fault, SUBMIT_CUTS[cut])
    response = await within_budget(lambda: portal.submit(fields), trigger)
    unavailable_page(response, patient.mrn, FAMILY)

    proxy.restore()
    assert await release_and_ledger_rows(world) == before
    assert evidence_files(settings) == []
    assert (await ledger_verifies(world.app)).ok

    again = await portal.submit(fields)
    release_id_of(again)  # 303 to the new request's page
    assert (await release_and_ledger_rows(world))[0] == before[0] + 1
    assert len(evidence_files(settings)) == 1
    assert (await ledger_verifies(world.app)).ok


@pytest.mark.parametrize("cut", DOWNLOAD_CUTS)
@pytest.mark.parametrize("fault", ["stall", "refuse"])
async def test_attack9_a_portal_download_with_the_database_cut_is_a_503_and_consumes_nothing(
    proxied: tuple[World, TcpProxy], cut_at: Callable[..., CutAt], cut: str, fault: str
) -> None:
    world, proxy = proxied
    portal = await portal_as(world.app, world.clock, world.client)
    release, _ = await released(world, organisation_id=portal.user.organisation_id)
    release_id = release.id
    url = f"/portal/requests/{release_id}/download"
    entries = await ledger_count(world, release_id)

    trigger = cut_at(proxy, fault, DOWNLOAD_CUTS[cut])
    response = await within_budget(lambda: portal.post(url, {}), trigger)
    unavailable_page(response)
    if cut == "mid_write":  # the use was counted in the transaction the cut broke
        assert any(sql.startswith("UPDATE delivery_links SET uses") for sql in trigger.sent)

    proxy.restore()
    assert (await link_of(world, release_id)).uses == 0
    assert await ledger_count(world, release_id, "download.started") == 0
    assert await ledger_count(world, release_id) == entries
    assert await world.ledger_ok()

    got = await portal.post(url, {})
    assert got.status_code == 200, got.text[:300]
    assert got.content == PDF
    assert (await link_of(world, release_id)).uses == 1
    assert await ledger_count(world, release_id, "download.completed") == 1
    assert await world.ledger_ok()
