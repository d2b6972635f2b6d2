"""The read side of requests: one release with its timeline and extension, and lists narrowed
to what a principal may see (a requester: its own organisation's requests only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal, ensure_same_organisation
from gateway.auth.errors import NotFound
from gateway.releases.extensions import ReleaseExtension
from gateway.releases.models import Release, ReleaseTransition
from gateway.releases.request_errors import RequestNotFound
from gateway.releases.states import REQUESTER_VIEW, State

MAX_LIST = 100


@dataclass(frozen=True, slots=True)
class RequestView:
    release: Release
    timeline: tuple[ReleaseTransition, ...]
    extension: ReleaseExtension | None


async def visible_release(
    session: AsyncSession, principal: Principal, release_id: uuid.UUID, *, lock: bool = False
) -> Release:
    """The release, if the principal may see it; another organisation's looks missing (404)."""
    query = select(Release).where(Release.id == release_id)
    if lock:
        query = query.with_for_update()
    release = await session.scalar(query.execution_options(populate_existing=True))
    if release is None:
        raise RequestNotFound("no such request")
    try:
        ensure_same_organisation(principal, release.organisation_id)
    except NotFound:
        raise RequestNotFound("no such request") from None
    return release


async def request_view(session: AsyncSession, release: Release) -> RequestView:
    timeline = await session.scalars(
        select(ReleaseTransition)
        .where(ReleaseTransition.release_id == release.id)
        .order_by(ReleaseTransition.at, ReleaseTransition.id)
    )
    extension = await session.get(ReleaseExtension, release.id)
    return RequestView(release, _ordered(timeline), extension)


def _ordered(rows: Iterable[ReleaseTransition]) -> tuple[ReleaseTransition, ...]:
    """Transitions in the same instant (a fixed test clock) follow the state machine's order."""
    listed = list(rows)
    out: list[ReleaseTransition] = []
    remaining = listed[:]
    state: str | None = None
    while remaining:
        nxt = next((t for t in remaining if t.from_state == state), remaining[0])
        out.append(nxt)
        remaining.remove(nxt)
        state = nxt.to_state
    return tuple(out)


def states_for_filter(principal: Principal, value: str | None) -> frozenset[str] | None:
    """Staff filter by state; requesters by what they see (``in_preparation``...).
    ``None``: no filter. An unknown value: an empty set (the caller refuses it)."""
    if value is None:
        return None
    if principal.is_staff:
        return frozenset({value}) if value in {s.value for s in State} else frozenset()
    return frozenset(s.value for s, seen in REQUESTER_VIEW.items() if seen == value)


async def list_releases(
    session: AsyncSession,
    principal: Principal,
    *,
    states: frozenset[str] | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> list[Release]:
    query = select(Release)
    if not principal.is_staff:
        if principal.organisation_id is None:
            return []
        query = query.where(Release.organisation_id == principal.organisation_id)
    if states is not None:
        query = query.where(Release.state.in_(states))
    if kind is not None:
        query = query.where(Release.kind == kind)
    query = query.order_by(Release.created_at.desc(), Release.id).limit(min(limit, MAX_LIST))
    return list(await session.scalars(query.offset(offset)))


# Holds the requester resolves by sending something (corrected identifiers, the subpoena's notice
# assurance or a valid QPO, an attestation, an authorization instead of a directive); every
# other hold waits on the hospital (DESIGN.md: "needs your action, or held by the hospital").
REQUESTER_RESOLVES = frozenset(
    {
        "PATIENT_NOT_MATCHED",
        "SUBPOENA_ASSURANCE_MISSING",
        "QPO_INVALID",
        "ST_ATTESTATION_REQUIRED",
        "DIRECTIVE_ROUTED_AS_AUTHORIZATION",
    }
)


def waiting_on(release: Release) -> str | None:
    """For a held release: ``requester`` if any hold is one the requester resolves, else
    ``hospital``; ``None`` for every other state."""
    if release.state != State.ON_HOLD.value:
        return None
    holds = [f["code"] for f in release.findings if f["severity"] == "hold"]
    mine = any(
        c in REQUESTER_RESOLVES or c.startswith("SUBPOENA_ASSURANCE_INCOMPLETE:") for c in holds
    )
    return "requester" if mine else "hospital"
