"""Counts and small lookups of the approval queue's page: releases per staff tab, overdue open
releases, organisations to filter by, the row versions of a page's rows and releases' references
(for bulk results). Queries live here, not in the page handlers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import Organisation
from gateway.releases.models import Release
from gateway.releases.states import STAFF_TAB, State

OPEN_STATES = tuple(
    s.value
    for s in (
        State.RECEIVED,
        State.CHECKING,
        State.ON_HOLD,
        State.ASSEMBLING,
        State.IN_REVIEW,
        State.APPROVED,
    )
)


async def tab_counts(session: AsyncSession, tabs: Sequence[str]) -> dict[str, int]:
    """How many releases each staff tab holds."""
    rows = await session.execute(select(Release.state, func.count()).group_by(Release.state))
    counts = dict.fromkeys(tabs, 0)
    for state, n in rows.all():
        counts[STAFF_TAB[State(state)]] += n
    return counts


async def overdue_count(session: AsyncSession, on: date) -> int:
    """Open releases (not yet released, denied or rejected) past their due date."""
    query = select(func.count()).where(Release.state.in_(OPEN_STATES), Release.due_on < on)
    return int(await session.scalar(query) or 0)


async def organisations(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    return [(r[0], r[1]) for r in rows.all()]


async def row_versions(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    found = await session.execute(
        select(Release.id, Release.row_version).where(Release.id.in_(ids))
    )
    return {r[0]: r[1] for r in found.all()}


async def references(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    found = await session.execute(select(Release.id, Release.reference).where(Release.id.in_(ids)))
    return {r[0]: r[1] for r in found.all()}
