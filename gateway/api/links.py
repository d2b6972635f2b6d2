"""API v1: delivery links for staff, and the requester's download.

- ``GET /api/v1/queue/{release_id}/links`` (rule ``releases.review``): a release's links (never
  their tokens: a token exists only in the recipient's mail).
- ``POST /api/v1/links/{link_id}/revoke`` (rule ``links.revoke``): revoke one link with a reason
  code; when no live link is left the release moves ``released -> revoked``.
- ``POST /api/v1/queue/{release_id}/revoke`` (rule ``links.revoke``): revoke every live link.
- ``POST /api/v1/requests/{release_id}/download`` (rule ``packets.download``: attorney, payer;
  their own organisation's releases only): the released packet, counted against the release's
  link like any download (one use, ``download.started``, then ``completed`` or ``aborted``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.downloads import stream_download
from gateway.auth import CurrentPrincipal
from gateway.auth.endpoints import client_address
from gateway.auth.principal import Principal
from gateway.errors import register
from gateway.ratelimit import Limit
from gateway.releases.approval_errors import ReleaseNotFound
from gateway.releases.delivery import (
    CodeRefused,
    DeliveryLink,
    LinkNotFound,
    LinkRefused,
    NotDeliverable,
    link_live,
    start_requester_download,
)
from gateway.releases.models import Release
from gateway.services import Services

register(LinkRefused, HTTPStatus.FORBIDDEN)
register(LinkNotFound, HTTPStatus.NOT_FOUND)
register(NotDeliverable, HTTPStatus.CONFLICT)
register(CodeRefused, HTTPStatus.FORBIDDEN)

REVOKE_REASONS = frozenset(
    {"WRONG_RECIPIENT", "SENT_IN_ERROR", "REQUESTER_WITHDREW", "AUTH_REVOKED", "SECURITY", "OTHER"}
)


def download_limits(services: Services) -> tuple[Limit, Limit]:
    """Per link and per account; per client address (a minute each)."""
    d = services.settings.delivery
    return Limit(d.downloads_per_minute, 60), Limit(d.downloads_per_minute_per_address, 60)


class LinkOut(msgspec.Struct):
    id: uuid.UUID
    release_id: uuid.UUID
    packet_version: int
    recipient_kind: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    live: bool
    code_required: bool
    locked: bool
    mailed: bool
    revoked_at: datetime | None
    revoke_reason: str | None
    expired_at: datetime | None

    @classmethod
    def of(cls, link: DeliveryLink, now: datetime) -> LinkOut:
        return cls(
            link.id,
            link.release_id,
            link.packet_version,
            link.recipient_kind,
            link.created_at,
            link.expires_at,
            link.max_uses,
            link.uses,
            link_live(link, now),
            link.code_required,
            link.locked_at is not None,
            link.notified_at is not None,
            link.revoked_at,
            link.revoke_reason,
            link.expired_at,
        )


class RevokeIn(msgspec.Struct, forbid_unknown_fields=True):
    reason_code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z_]{2,40}$")]


class RevokeReasonUnknown(LinkNotFound):
    code = "REVOKE_REASON_UNKNOWN"


register(RevokeReasonUnknown, HTTPStatus.UNPROCESSABLE_ENTITY)


def _reason(data: RevokeIn) -> str:
    if data.reason_code not in REVOKE_REASONS:
        raise RevokeReasonUnknown("unknown revoke reason", allowed=sorted(REVOKE_REASONS))
    return data.reason_code


class LinkController(Controller):
    path = "/api/v1"
    tags = ["links"]  # noqa: RUF012 - Litestar reads the class attribute

    @get("/queue/{release_id:uuid}/links", opt={"rule": "releases.review"})
    async def list_links(
        self,
        release_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        state: AppState,
    ) -> list[LinkOut]:
        """A release's delivery links, oldest first (no tokens)."""
        services: Services = state.services
        links = await services.delivery.service(db_session).links_of(release_id)
        if not links and await db_session.get(Release, release_id) is None:
            raise ReleaseNotFound("no such release", release=str(release_id))
        now = services.clock.now()
        return [LinkOut.of(link, now) for link in links]

    @post("/links/{link_id:uuid}/revoke", opt={"rule": "links.revoke"}, status_code=HTTPStatus.OK)
    async def revoke_link(
        self,
        link_id: FromPath[uuid.UUID],
        data: JSONBody[RevokeIn],
        db_session: NamedDependency[AsyncSession],
        principal: CurrentPrincipal,
        state: AppState,
    ) -> LinkOut:
        """Revoke one link (idempotent); the next use of it is refused."""
        services: Services = state.services
        service = services.delivery.service(db_session)
        link = await service.revoke(link_id, actor=principal.actor, reason=_reason(data))
        return LinkOut.of(link, services.clock.now())

    @post(
        "/queue/{release_id:uuid}/revoke", opt={"rule": "links.revoke"}, status_code=HTTPStatus.OK
    )
    async def revoke_release(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[RevokeIn],
        db_session: NamedDependency[AsyncSession],
        principal: CurrentPrincipal,
        state: AppState,
    ) -> list[LinkOut]:
        """Revoke every link of a release that is still live."""
        services: Services = state.services
        service = services.delivery.service(db_session)
        reason, now = _reason(data), services.clock.now()
        links = await service.links_of(release_id)
        if not links and await db_session.get(Release, release_id) is None:
            raise ReleaseNotFound("no such release", release=str(release_id))
        for link in links:
            if link_live(link, now):
                await service.revoke(link.id, actor=principal.actor, reason=reason)
        return [LinkOut.of(link, now) for link in links]

    @post(
        "/requests/{release_id:uuid}/download",
        opt={"rule": "packets.download"},
        media_type="application/pdf",
        status_code=HTTPStatus.OK,
        responses=None,
    )
    async def download(
        self,
        release_id: FromPath[uuid.UUID],
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        state: AppState,
    ) -> Stream:
        """The released packet of the caller's organisation: one use of its link."""
        return await requester_download(state.services, request, principal, release_id)


async def requester_download(
    services: Services, request: Request[Any, Any, Any], principal: Principal, release_id: uuid.UUID
) -> Stream:
    """A signed-in requester's download (API v1 and the portal): the rate limits per account,
    address and link, one use of the release's link, then the stream."""
    limiter = services.download_limiter
    per_link, per_address = download_limits(services)
    limiter.hit("download:account", principal.actor, per_link)
    limiter.hit("download:address", client_address(request), per_address)
    started = await start_requester_download(
        services.delivery,
        release_id,
        principal,
        lambda link: limiter.hit("download:link", str(link.id), per_link),
    )
    return await stream_download(services.delivery, started, principal.actor)


__all__ = ["LinkController"]
