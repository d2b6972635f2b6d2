"""The staff approval queue: releases listed with filters, a stable order and keyset pagination,
and a patient search that reaches the same rows by a body, never a URL.

The filters carry no PHI (states, tabs, due dates, requester type, sensitivity, assignee ids).
The order is the sort column then the release id, so a page boundary never drops or repeats a
row; the cursor is that pair, opaque to clients (base64 of JSON, no PHI).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, Select, and_, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import Organisation
from gateway.releases.approval_errors import CursorInvalid, SearchInvalid
from gateway.releases.models import Patient, Release
from gateway.releases.states import STAFF_TAB, State

Sort = Literal["due_on", "-due_on", "created_at", "-created_at"]
RequesterType = Literal["attorney", "payer", "vendor", "individual"]
SEARCH_LIMIT = 100


@dataclass(frozen=True, slots=True)
class QueueFilter:
    states: tuple[State, ...] = ()
    tab: str | None = None
    requester_type: RequesterType | None = None
    sensitive: bool | None = None
    assignee_id: uuid.UUID | None = None
    unassigned: bool = False
    due_before: date | None = None
    due_after: date | None = None
    organisation_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Page:
    sort: Sort = "due_on"
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: uuid.UUID
    reference: str
    state: State
    tab: str
    due_on: date
    days_left: int
    overdue: bool
    requester_type: RequesterType
    sensitive: bool
    assignee_id: uuid.UUID | None
    open_findings: int


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)


def open_findings(findings: Sequence[dict[str, Any]]) -> int:
    """Findings not marked resolved by a reviewer."""
    return sum(1 for f in findings if not f.get("resolved"))


def requester_type(kind: str, organisation_kind: str | None) -> RequesterType:
    if kind == "work_order":
        return "vendor"
    if organisation_kind in {"attorney", "payer"}:
        return organisation_kind  # type: ignore[return-value]
    return "individual"


class RowSource(Protocol):
    """The columns a queue row is made of: a ``Release`` or a row of :func:`_base`."""

    id: uuid.UUID
    reference: str
    state: str
    kind: str
    due_on: date
    sensitive: bool
    assignee_id: uuid.UUID | None
    findings: list[dict[str, Any]]
    created_at: datetime


def _base() -> Select[Any]:
    """Only the columns a row shows (the wide JSON columns of a release stay in the table)."""
    return select(
        Release.id,
        Release.reference,
        Release.state,
        Release.kind,
        Release.due_on,
        Release.sensitive,
        Release.assignee_id,
        Release.findings,
        Release.created_at,
        Organisation.kind.label("organisation_kind"),
    ).outerjoin(Organisation, Organisation.id == Release.organisation_id)


def _conditions(f: QueueFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.states:
        found.append(Release.state.in_([s.value for s in f.states]))
    if f.tab is not None:
        found.append(Release.state.in_([s.value for s, t in STAFF_TAB.items() if t == f.tab]))
    if f.requester_type is not None:
        found.append(_requester_condition(f.requester_type))
    if f.sensitive is not None:
        found.append(Release.sensitive.is_(f.sensitive))
    if f.unassigned:
        found.append(Release.assignee_id.is_(None))
    elif f.assignee_id is not None:
        found.append(Release.assignee_id == f.assignee_id)
    if f.due_before is not None:
        found.append(Release.due_on <= f.due_before)
    if f.due_after is not None:
        found.append(Release.due_on >= f.due_after)
    if f.organisation_id is not None:
        found.append(Release.organisation_id == f.organisation_id)
    return found


def _requester_condition(kind: RequesterType) -> ColumnElement[bool]:
    if kind == "vendor":
        return Release.kind == "work_order"
    if kind == "individual":
        return and_(Release.kind == "request", Release.organisation_id.is_(None))
    of_kind = select(Organisation.id).where(Organisation.kind == kind)
    return Release.organisation_id.in_(of_kind.scalar_subquery())


def _column(sort: Sort) -> Any:
    return Release.due_on if sort.lstrip("-") == "due_on" else Release.created_at


def _after(sort: Sort, cursor: str) -> ColumnElement[bool]:
    """Rows past the cursor as one row-value comparison: ``(column, id) > (key, id)`` is what
    a b-tree index on ``(column, id)`` can seek to (the equivalent OR form scans from the start,
    so a deep page cost as much as all the pages before it)."""
    key, last_id = decode_cursor(sort, cursor)
    column = _column(sort)
    position = tuple_(column, Release.id)
    after = tuple_(literal(key, column.type), literal(last_id, Release.id.type))
    return position < after if sort.startswith("-") else position > after


def encode_cursor(sort: Sort, release: RowSource) -> str:
    key = release.due_on if sort.lstrip("-") == "due_on" else release.created_at
    raw = json.dumps({"s": sort, "k": key.isoformat(), "i": release.id.hex})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(sort: Sort, cursor: str) -> tuple[date | datetime, uuid.UUID]:
    """The position a cursor names; one made for another sort, or not by us, is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        last_id = uuid.UUID(hex=data["i"])
        if data["s"] != sort:
            raise CursorInvalid("cursor made for another sort")
        if sort.lstrip("-") == "due_on":
            return date.fromisoformat(data["k"]), last_id
        return datetime.fromisoformat(data["k"]), last_id
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise CursorInvalid("cursor not readable") from exc


async def list_queue(session: AsyncSession, f: QueueFilter, page: Page, *, on: date) -> QueuePage:
    """One page of the queue, ordered by ``page.sort`` then id; ``next_cursor`` when more."""
    column = _column(page.sort)
    desc = page.sort.startswith("-")
    query = _base().where(*_conditions(f))
    if page.cursor:
        query = query.where(_after(page.sort, page.cursor))
    order = (column.desc(), Release.id.desc()) if desc else (column.asc(), Release.id.asc())
    result = await session.execute(query.order_by(*order).limit(page.limit + 1))
    found = list(result.all())
    more = len(found) > page.limit
    found = found[: page.limit]
    rows = [queue_row(row, row.organisation_kind, on) for row in found]
    cursor = encode_cursor(page.sort, found[-1]) if more and found else None
    return QueuePage(rows, cursor)


@dataclass(frozen=True, slots=True)
class PatientSearch:
    """By MRN, or by family name and date of birth (given name optional): never in a URL."""

    mrn: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    birth_date: date | None = None


def _patient_conditions(search: PatientSearch) -> list[ColumnElement[bool]]:
    if search.mrn:
        return [Patient.mrn == search.mrn.strip()]
    if not search.family_name or search.birth_date is None:
        raise SearchInvalid("an MRN, or a family name and a date of birth")
    found = [
        func.lower(Patient.family_name) == search.family_name.strip().lower(),
        Patient.birth_date == search.birth_date,
    ]
    if search.given_name:
        found.append(func.lower(Patient.given_name) == search.given_name.strip().lower())
    return found


async def search_queue(session: AsyncSession, search: PatientSearch, *, on: date) -> QueuePage:
    """The releases of the patients found, by due date (at most ``SEARCH_LIMIT``)."""
    patients = select(Patient.id).where(*_patient_conditions(search))
    query = (
        _base()
        .where(Release.patient_id.in_(patients))
        .order_by(Release.due_on.asc(), Release.id.asc())
        .limit(SEARCH_LIMIT)
    )
    result = await session.execute(query)
    return QueuePage([queue_row(row, row.organisation_kind, on) for row in result.all()])


def queue_row(release: RowSource, organisation_kind: str | None, on: date) -> QueueRow:
    state = State(release.state)
    days_left = (release.due_on - on).days
    waiting = state not in {
        State.RELEASED,
        State.EXPIRED,
        State.REVOKED,
        State.DENIED,
        State.REJECTED,
    }
    return QueueRow(
        id=release.id,
        reference=release.reference,
        state=state,
        tab=STAFF_TAB[state],
        due_on=release.due_on,
        days_left=days_left,
        overdue=waiting and days_left < 0,
        requester_type=requester_type(release.kind, organisation_kind),
        sensitive=release.sensitive,
        assignee_id=release.assignee_id,
        open_findings=open_findings(release.findings),
    )
