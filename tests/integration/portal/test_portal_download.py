"""The requester downloads its released packet from the request page: one use of the release's
link, with the download's headers and ledger entries; another organisation gets 404."""

from __future__ import annotations

import uuid

from litestar import Litestar
from sqlalchemy import func, select

from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.delivery import DeliveryLink, deliver_release
from gateway.releases.models import Release
from gateway.services import Services
from kernel.clock import FixedClock
from tests.builders.approval import create_release, packet_row
from tests.fixtures.auth import session_maker
from tests.integration.portal.helpers import portal_as
from tests.integration.web.pages import Client

PDF = b"%PDF-1.4\n% synthetic packet for the portal download test\n%%EOF\n"


async def _released(app: Litestar, organisation_id: uuid.UUID) -> Release:
    services: Services = app.state.services
    stored = await services.blobs.put(PDF, content_type="application/pdf", prefix="packets")
    async with session_maker(app)() as session, session.begin():
        release = await create_release(
            session,
            opened_by=uuid.uuid4(),
            organisation_id=organisation_id,
            state="approved",
            packet=None,
        )
        release.packet_version = 1
        packet = packet_row(release)
        packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
        session.add(packet)
    assert await deliver_release(services.delivery, release.id) is not None
    return release


async def test_the_released_packet_downloads_from_the_request_page(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    portal = await portal_as(auth_app, clock, http)
    assert portal.user.organisation_id is not None
    release = await _released(auth_app, portal.user.organisation_id)
    page = await portal.get(f"/portal/requests/{release.id}")
    assert page.status_code == 200
    assert 'id="download-form"' in page.text
    assert "3 downloads left" in page.text

    got = await portal.post(f"/portal/requests/{release.id}/download", {})
    assert got.status_code == 200, got.text
    assert got.content == PDF
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["content-disposition"].startswith('attachment; filename="release-')
    async with session_maker(auth_app)() as session:
        link = await session.scalar(
            select(DeliveryLink).where(DeliveryLink.release_id == release.id)
        )
        assert link is not None
        assert link.uses == 1
        events = await session.scalars(
            select(LedgerEntry.event_type).where(LedgerEntry.release_id == release.id)
        )
        assert {"download.started", "download.completed"} <= set(events)
    assert "2 downloads left" in (await portal.get(f"/portal/requests/{release.id}")).text

    refused = await http.post(
        f"/portal/requests/{release.id}/download", data={}, follow_redirects=False
    )
    assert refused.status_code == 403  # no CSRF token: nothing consumed
    other = await portal_as(auth_app, clock, http, Role.PAYER)
    assert (await other.post(f"/portal/requests/{release.id}/download", {})).status_code == 404
    async with session_maker(auth_app)() as session:
        uses = await session.scalar(
            select(func.sum(DeliveryLink.uses)).where(DeliveryLink.release_id == release.id)
        )
    assert uses == 1
