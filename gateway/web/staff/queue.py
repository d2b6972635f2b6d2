"""``/queue``: the approval queue for staff.

Tabs by state (DESIGN.md's staff tabs) with counts, filters and sorting as query parameters that
carry no PHI, keyset pagination, a due-date countdown in colour bands and the overdue count. A
patient search goes by POST (``/queue/search``); bulk approval by POST (``/queue/bulk-approve``)
shows a result per row. The list, search and bulk approval are ``ReviewQueue`` calls, as in
``gateway.api.queue``."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from litestar import Response, get, post
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.queue import deliver_after
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.releases import queue_counts as counts
from gateway.releases.approval_bulk import MAX_BULK, BulkItem
from gateway.releases.approval_errors import CursorInvalid, SearchInvalid
from gateway.releases.queue import (
    Page,
    PatientSearch,
    QueueFilter,
    QueuePage,
    RequesterType,
    Sort,
)
from gateway.web.forms import AnyRequest, text_field
from gateway.web.navigation import page_context
from gateway.web.staff.common import RULE, band, countdown, message_for, parse_date, queue_of

DbSession = NamedDependency[AsyncSession]
TABS: tuple[tuple[str, str], ...] = (
    ("new", "New"),
    ("needs_fix", "Needs fix"),
    ("on_hold", "On hold"),
    ("assembling", "Assembling"),
    ("in_review", "In review"),
    ("ready", "Ready"),
    ("released", "Released"),
    ("denied", "Denied"),
)
SORTS: tuple[tuple[str, str], ...] = (
    ("due_on", "Due date, soonest first"),
    ("-due_on", "Due date, latest first"),
    ("created_at", "Received, oldest first"),
    ("-created_at", "Received, newest first"),
)
TAB_NAMES = ("all", *(name for name, _ in TABS))
REQUESTER_TYPES = ("attorney", "payer", "vendor", "individual")
Short = Annotated[str | None, QueryParameter(max_length=40)]


def choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """``None`` for an empty field; a value outside ``allowed`` is a 400."""
    if not value:
        return None
    if value not in allowed:
        raise ValidationException("unknown filter value")
    return value


def uuid_or_400(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationException("unknown organisation") from None


PAGE_SIZE = 25


def due_bounds(window: str | None, on: date) -> date | None:
    if window == "overdue":
        return on - timedelta(days=1)
    if window in {"2", "7"}:
        return on + timedelta(days=int(window))
    return None


async def view_rows(session: AsyncSession, page: QueuePage) -> list[dict[str, Any]]:
    """The rows with their colour band, countdown and ``row_version`` (bulk approval sends it)."""
    versions = await counts.row_versions(session, [row.id for row in page.rows])
    return [
        {
            "row": row,
            "row_version": versions.get(row.id, 0),
            "band": band(row.days_left),
            "countdown": countdown(row.days_left),
            "state_label": row.state.value.replace("_", " "),
        }
        for row in page.rows
    ]


async def render_queue(
    request: AnyRequest,
    principal: Principal,
    session: AsyncSession,
    state: AppState,
    *,
    listing: QueuePage,
    filters: dict[str, str],
    search: dict[str, str] | None = None,
    bulk: list[dict[str, Any]] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    queue = queue_of(session, state)
    kept = {k: v for k, v in filters.items() if v}
    next_url = None
    if listing.next_cursor:
        next_url = "/queue?" + urlencode({**kept, "cursor": listing.next_cursor})
    tab_links = {
        name: "/queue?"
        + urlencode({**{k: v for k, v in kept.items() if k != "cursor"}, "tab": name})
        for name, _ in TABS
    }
    context = page_context(
        request,
        principal,
        "Approval queue",
        tabs=TABS,
        tab_links=tab_links,
        counts=await counts.tab_counts(session, [t for t, _ in TABS]),
        overdue=await counts.overdue_count(session, queue.today),
        organisations=await counts.organisations(session),
        sorts=SORTS,
        filters=filters,
        rows=await view_rows(session, listing),
        next_url=next_url,
        first_url=(
            "/queue?" + urlencode({k: v for k, v in kept.items() if k != "cursor"})
            if filters.get("cursor")
            else None
        ),
        search=search,
        bulk=bulk,
        error=error,
        today=queue.today,
    )
    return Template(template_name="staff/queue.html", context=context, status_code=status)


@get("/queue", opt=RULE)
async def queue_page(
    request: AnyRequest,
    *,
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
    tab: Short = "in_review",
    requester_type: Short = None,
    sensitive: Short = None,
    assignee: Short = None,
    organisation: Short = None,
    due: Short = None,
    sort: Short = "due_on",
    cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Response[Any]:
    """The queue page. The filter form sends every field (empty ones too, so the page works
    without JavaScript); an empty field is no filter, an unknown value a 400."""
    queue = queue_of(db_session, state)
    tab = choice(tab, TAB_NAMES) or "in_review"
    requester_type = choice(requester_type, REQUESTER_TYPES)
    sensitive = choice(sensitive, ("yes", "no"))
    assignee = choice(assignee, ("me", "unassigned"))
    due = choice(due, ("overdue", "2", "7"))
    sort = choice(sort, tuple(v for v, _ in SORTS)) or "due_on"
    organisation_id = uuid_or_400(organisation)
    cursor = cursor or None
    f = QueueFilter(
        tab=None if tab == "all" else tab,
        requester_type=cast("RequesterType | None", requester_type),
        sensitive=None if sensitive is None else sensitive == "yes",
        assignee_id=principal.user_id if assignee == "me" else None,
        unassigned=assignee == "unassigned",
        due_before=due_bounds(due, queue.today),
        organisation_id=organisation_id,
    )
    filters = {
        "tab": tab,
        "requester_type": requester_type or "",
        "sensitive": sensitive or "",
        "assignee": assignee or "",
        "organisation": str(organisation) if organisation else "",
        "due": due or "",
        "sort": sort,
        "cursor": cursor or "",
    }
    try:
        listing = await queue.listing(f, Page(cast("Sort", sort), PAGE_SIZE, cursor))
    except CursorInvalid:
        filters["cursor"] = ""
        listing = QueuePage([])
        return await render_queue(
            request,
            principal,
            db_session,
            state,
            listing=listing,
            filters=filters,
            error="That page of the list no longer exists; start again from the first page.",
            status=400,
        )
    return await render_queue(
        request, principal, db_session, state, listing=listing, filters=filters
    )


DEFAULT_FILTERS = {
    "tab": "all",
    "requester_type": "",
    "sensitive": "",
    "assignee": "",
    "organisation": "",
    "due": "",
    "sort": "due_on",
    "cursor": "",
}


@post("/queue/search", opt=RULE, status_code=200)
async def queue_search(
    request: AnyRequest, principal: CurrentPrincipal, db_session: DbSession, state: AppState
) -> Response[Any]:
    """A patient search by MRN, or family name and date of birth: in the body, never the URL."""
    mrn = (await text_field(request, "mrn", 32)).strip()
    family = (await text_field(request, "family_name", 100)).strip()
    given = (await text_field(request, "given_name", 100)).strip()
    born_text = (await text_field(request, "birth_date", 10)).strip()
    born = parse_date(born_text) if born_text else None
    search = {"mrn": mrn, "family_name": family, "given_name": given, "birth_date": born_text}
    queue = queue_of(db_session, state)
    error = None
    listing = QueuePage([])
    if born_text and born is None:
        error = "The date of birth is not a date (use YYYY-MM-DD)."
    else:
        try:
            listing = await queue.search(
                PatientSearch(mrn or None, family or None, given or None, born)
            )
        except SearchInvalid:
            error = "Search by MRN, or by family name and date of birth."
    return await render_queue(
        request,
        principal,
        db_session,
        state,
        listing=listing,
        filters=DEFAULT_FILTERS,
        search=search,
        error=error,
        status=422 if error else 200,
    )


def parse_bulk(values: list[str]) -> list[BulkItem] | None:
    """``release`` checkboxes as ``{id}:{row_version}``; ``None`` if one is malformed."""
    items: list[BulkItem] = []
    for value in values:
        rid, _, version = value.partition(":")
        try:
            items.append(BulkItem(uuid.UUID(rid), int(version)))
        except ValueError:
            return None
    return items


@post("/queue/bulk-approve", opt=RULE, status_code=200)
async def queue_bulk_approve(
    request: AnyRequest, principal: CurrentPrincipal, db_session: DbSession, state: AppState
) -> Response[Any]:
    """Approve the ticked rows (homogeneous: same organisation, same legal-basis type, no open
    findings); the page shows a result per row."""
    form = await request.form()
    values = [v for v in form.getall("release") if isinstance(v, str)] if "release" in form else []
    items = parse_bulk(values[: MAX_BULK + 1])
    filters = DEFAULT_FILTERS | {"tab": "in_review"}
    queue = queue_of(db_session, state)
    if not items or items is None or len(items) > MAX_BULK:
        listing = await queue.listing(QueueFilter(tab="in_review"), Page("due_on", PAGE_SIZE))
        return await render_queue(
            request,
            principal,
            db_session,
            state,
            listing=listing,
            filters=filters,
            error=f"Tick between 1 and {MAX_BULK} releases to approve together.",
            status=422,
        )
    results = await queue.bulk_approve(items, principal)
    references = await counts.references(db_session, [i.release_id for i in items])
    bulk = [
        {
            "reference": references.get(r.release_id, str(r.release_id)),
            "id": r.release_id,
            "result": r.result,
            "code": r.code,
            "message": message_for(r.code) if r.code else "",
            "state": r.state,
        }
        for r in results
    ]
    listing = await queue.listing(QueueFilter(tab="in_review"), Page("due_on", PAGE_SIZE))
    page = await render_queue(
        request, principal, db_session, state, listing=listing, filters=filters, bulk=bulk
    )
    approved = [r.release_id for r in results if r.result == "approved"]
    page.background = deliver_after(state, approved)
    return page
