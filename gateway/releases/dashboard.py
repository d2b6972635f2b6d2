"""The figures of the management dashboard: requests by legal-basis type and by requester type,
turnaround time (median and 90th percentile by week), the overdue count, denials by reason code.

Read-only queries over releases and their transitions; no patient data is read. Turnaround is
the days from a release's creation to its first response (released or denied), counted in the
ISO week of that response. The counts cover the releases created in the last ``weeks`` weeks;
the overdue count is of today (open releases past their due date, as the queue counts them).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import Organisation
from gateway.releases.models import Release, ReleaseTransition
from gateway.releases.queue import requester_type
from gateway.releases.states import State

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
CLOSED = frozenset({State.RELEASED, State.EXPIRED, State.REVOKED, State.DENIED, State.REJECTED})
RESPONSES = (State.RELEASED.value, State.DENIED.value)
NO_REASON = "(none given)"


@dataclass(frozen=True, slots=True)
class WeekTurnaround:
    """Responses in the ISO week starting ``week_of`` (a Monday): how many, median, p90 days."""

    week_of: date
    responses: int
    median_days: float
    p90_days: float


@dataclass(frozen=True, slots=True)
class Dashboard:
    since: date
    until: date
    by_type: tuple[tuple[str, int], ...]
    by_requester: tuple[tuple[str, int], ...]
    turnaround: tuple[WeekTurnaround, ...]
    overdue: int
    open: int
    denials: tuple[tuple[str, int], ...]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in (0, 1]) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def dashboard(session: AsyncSession, *, on: date, weeks: int = DEFAULT_WEEKS) -> Dashboard:
    """The dashboard's figures on day ``on`` over the ``weeks`` weeks ending that day."""
    weeks = min(max(weeks, 1), MAX_WEEKS)
    since = monday_of(on) - timedelta(weeks=weeks - 1)
    start = datetime.combine(since, time.min, tzinfo=UTC)
    created = await session.execute(
        select(Release.kind, Release.basis_type, Organisation.kind.label("organisation_kind"))
        .outerjoin(Organisation, Organisation.id == Release.organisation_id)
        .where(Release.created_at >= start)
    )
    by_type: Counter[str] = Counter()
    by_requester: Counter[str] = Counter()
    for row in created.all():
        by_type[row.basis_type] += 1
        by_requester[requester_type(row.kind, row.organisation_kind)] += 1

    open_states = [s.value for s in State if s not in CLOSED]
    overdue = await session.scalar(
        select(func.count())
        .select_from(Release)
        .where(Release.state.in_(open_states), Release.due_on < on)
    )
    still_open = await session.scalar(
        select(func.count()).select_from(Release).where(Release.state.in_(open_states))
    )

    first_response = (
        select(
            ReleaseTransition.release_id,
            func.min(ReleaseTransition.at).label("answered_at"),
        )
        .where(ReleaseTransition.to_state.in_(RESPONSES))
        .group_by(ReleaseTransition.release_id)
        .subquery()
    )
    answered = await session.execute(
        select(Release.created_at, first_response.c.answered_at)
        .join(first_response, first_response.c.release_id == Release.id)
        .where(first_response.c.answered_at >= start)
    )
    days_by_week: dict[date, list[float]] = {}
    for created_at, answered_at in answered.all():
        at = _utc(answered_at)
        days = (at - _utc(created_at)).total_seconds() / 86400
        days_by_week.setdefault(monday_of(at.date()), []).append(round(days, 1))
    turnaround = tuple(
        WeekTurnaround(week, len(days), median(days), percentile(days, 0.9))
        for week, days in sorted(days_by_week.items())
    )

    denied = await session.execute(
        select(ReleaseTransition.reason_code, func.count())
        .where(ReleaseTransition.to_state == State.DENIED.value, ReleaseTransition.at >= start)
        .group_by(ReleaseTransition.reason_code)
    )
    denials: Counter[str] = Counter()
    for code, count in denied.all():
        denials[code or NO_REASON] += count

    return Dashboard(
        since=since,
        until=on,
        by_type=_ranked(by_type),
        by_requester=_ranked(by_requester),
        turnaround=turnaround,
        overdue=overdue or 0,
        open=still_open or 0,
        denials=_ranked(denials),
    )
