"""The requester's download of a released packet from the portal: the request page shows the
live link's downloads left and expiry, and ``POST /portal/requests/{id}/download`` (rule
``packets.download``, the session's CSRF token) streams the packet through the same path as
``POST /api/v1/requests/{id}/download``: one use of the link, ``download.started``, then
``download.completed`` or ``download.aborted``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import post
from litestar.datastructures import State as AppState
from litestar.params import FromPath

from gateway.api.links import requester_download
from gateway.auth.principal import CurrentPrincipal
from gateway.releases.delivery import DeliveryLink, link_live
from gateway.services import Services
from gateway.web.forms import AnyRequest
from gateway.web.portal.common import staff_refusal


async def live_link(services: Services, release_id: uuid.UUID) -> dict[str, Any] | None:
    """What the page shows of the release's live link: downloads left and expiry."""
    async with services.delivery.reads() as session:
        links = await services.delivery.service(session).links_of(release_id)
    now: datetime = services.clock.now()
    live: list[DeliveryLink] = [link for link in links if link_live(link, now)]
    if not live:
        return None
    link = live[-1]
    return {"uses_left": link.max_uses - link.uses, "expires_at": link.expires_at}


@post(
    "/portal/requests/{release_id:uuid}/download",
    opt={"rule": "packets.download"},
    status_code=200,
    media_type="application/pdf",
)
async def portal_download(
    request: AnyRequest,
    principal: CurrentPrincipal,
    release_id: FromPath[uuid.UUID],
    state: AppState,
) -> Any:
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    return await requester_download(state.services, request, principal, release_id)
