"""The ledger view of one release (its entries in order, whether the hash chain verifies up to
each) and the "verify the ledger" action: ``ledger_of_release`` and ``verify_paged``, the same
calls as ``GET /api/v1/releases/{id}/ledger`` and ``GET /api/v1/ledger/verify``.

A release is found by its reference (``R-…``, no PHI) or its id; both go by POST from the form,
and the page of one release has the opaque id in its address, as the API does.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from gateway.api.accounting import Sessions, provide_sessions
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.ledger import verify_paged
from gateway.releases.accounting import UnknownRelease, ledger_of_release
from gateway.releases.models import Release
from gateway.web.admin.common import admin_page, refusal
from gateway.web.forms import AnyRequest, text_field

DEPENDENCIES = {"sessions": Provide(provide_sessions)}
TITLE = "Disclosure ledger"
NOT_FOUND = "No release has that reference or id."


def ledger_page(
    request: AnyRequest,
    principal: Principal,
    *,
    status: int = 200,
    error: str | None = None,
    **extra: Any,
) -> Template:
    extra.setdefault("trail", None)
    extra.setdefault("verification", None)
    extra.setdefault("release", None)
    return admin_page(request, principal, "ledger.html", TITLE, status=status, error=error, **extra)


async def _release(sessions: Sessions, wanted: str) -> Release | None:
    async with sessions() as session:
        try:
            return await session.get(Release, uuid.UUID(wanted))
        except ValueError:
            statement = select(Release).where(Release.reference == wanted)
            return (await session.scalars(statement)).first()


async def _trail_page(
    request: AnyRequest, principal: Principal, sessions: Sessions, release: Release | None
) -> Template:
    if release is None:
        message = refusal(UnknownRelease.code, NOT_FOUND)
        return ledger_page(request, principal, status=404, error=message)
    trail = await ledger_of_release(sessions, release.id)
    return ledger_page(request, principal, trail=trail, release=release)


@get("/admin/ledger", opt={"rule": "ledger.read"})
async def ledger_home(request: AnyRequest, principal: CurrentPrincipal) -> Template:
    return ledger_page(request, principal)


@post("/admin/ledger", opt={"rule": "ledger.read"}, dependencies=DEPENDENCIES, status_code=200)
async def ledger_lookup(
    request: AnyRequest, principal: CurrentPrincipal, sessions: Sessions
) -> Template:
    wanted = (await text_field(request, "release", 64)).strip()
    release = await _release(sessions, wanted) if wanted else None
    return await _trail_page(request, principal, sessions, release)


@get(
    "/admin/releases/{release_id:uuid}/ledger",
    opt={"rule": "ledger.read"},
    dependencies=DEPENDENCIES,
)
async def release_ledger(
    request: AnyRequest,
    principal: CurrentPrincipal,
    sessions: Sessions,
    release_id: FromPath[uuid.UUID],
) -> Template:
    return await _trail_page(
        request, principal, sessions, await _release(sessions, str(release_id))
    )


@post(
    "/admin/ledger/verify", opt={"rule": "ledger.read"}, dependencies=DEPENDENCIES, status_code=200
)
async def verify_ledger(
    request: AnyRequest, principal: CurrentPrincipal, sessions: Sessions
) -> Template:
    """Walk the whole chain now; read-only, but an action the user starts (a POST)."""
    return ledger_page(request, principal, verification=await verify_paged(sessions))
