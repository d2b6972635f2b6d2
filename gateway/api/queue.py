"""API v1 of the staff approval queue (rule ``releases.review``: admin, specialist).

The list's filters are query parameters that carry no PHI; a patient search goes in a POST body.
Every action carries the ``row_version`` the reviewer saw: a release changed since answers 409.
Each handler validates its input, makes one service call and maps the result to a wire schema.
"""

from __future__ import annotations

import uuid
from datetime import date
from http import HTTPStatus
from typing import Annotated

import structlog
from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.queue_schemas import (
    ApproveIn,
    ApproveOut,
    BulkIn,
    BulkOut,
    DenyIn,
    DetailOut,
    HoldIn,
    QueuePageOut,
    ReassignIn,
    ReleaseStateOut,
    SearchIn,
)
from gateway.auth import CurrentPrincipal
from gateway.db import build_session_maker
from gateway.errors import register
from gateway.releases.approval_codes import reason_codes
from gateway.releases.approval_errors import (
    ApprovalRefused,
    ApproverRefused,
    AssigneeInvalid,
    CursorInvalid,
    FollowUpInvalid,
    ReasonCodeUnknown,
    RecheckFailed,
    ReleaseNotFound,
    SearchInvalid,
)
from gateway.releases.delivery import deliver_release
from gateway.releases.queue import Page, QueueFilter, RequesterType, Sort
from gateway.releases.queue_service import ReviewQueue
from gateway.releases.states import State
from gateway.services import Services

for _error, _status in {
    ReleaseNotFound: HTTPStatus.NOT_FOUND,
    ApprovalRefused: HTTPStatus.CONFLICT,
    ApproverRefused: HTTPStatus.FORBIDDEN,
    RecheckFailed: HTTPStatus.CONFLICT,
    ReasonCodeUnknown: HTTPStatus.UNPROCESSABLE_ENTITY,
    FollowUpInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
    AssigneeInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
    SearchInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
    CursorInvalid: HTTPStatus.BAD_REQUEST,
}.items():
    register(_error, _status)

log = structlog.get_logger(__name__)
RULE = {"rule": "releases.review"}
Queue = NamedDependency[ReviewQueue]
Tab = Annotated[str | None, QueryParameter(max_length=20, pattern=r"^[a-z_]+$")]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


async def provide_queue(db_session: NamedDependency[AsyncSession], state: AppState) -> ReviewQueue:
    services: Services = state.services
    sessions = build_session_maker(services.engine)
    return ReviewQueue(db_session, sessions, clock=services.clock)


class QueueController(Controller):
    path = "/api/v1/queue"
    tags = ["queue"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"queue": Provide(provide_queue)}  # noqa: RUF012

    @get("/", opt=RULE)
    async def list_queue(
        self,
        *,
        queue: Queue,
        states: Annotated[list[State] | None, QueryParameter(name="state")] = None,
        tab: Tab = None,
        requester_type: FromQuery[RequesterType | None] = None,
        sensitive: FromQuery[bool | None] = None,
        assignee_id: FromQuery[uuid.UUID | None] = None,
        unassigned: FromQuery[bool] = False,
        due_before: FromQuery[date | None] = None,
        due_after: FromQuery[date | None] = None,
        sort: FromQuery[Sort] = "due_on",
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> QueuePageOut:
        """Releases by due date (or creation), filtered; ``next_cursor`` fetches the next page."""
        f = QueueFilter(
            tuple(states or ()),
            tab,
            requester_type,
            sensitive,
            assignee_id,
            unassigned,
            due_before,
            due_after,
        )
        return QueuePageOut.of(await queue.listing(f, Page(sort, limit, cursor)))

    @post("/search", opt=RULE, status_code=HTTPStatus.OK)
    async def search(self, data: JSONBody[SearchIn], queue: Queue) -> QueuePageOut:
        """The releases of a patient found by MRN, or by family name and date of birth."""
        return QueuePageOut.of(await queue.search(data.to_domain()))

    @get("/reasons", opt=RULE)
    async def codes(self) -> dict[str, list[dict[str, str]]]:
        """The fixed deny and hold reason codes, and the approval refusal codes."""
        return reason_codes()

    @get("/{release_id:uuid}", opt=RULE)
    async def detail(
        self, release_id: FromPath[uuid.UUID], queue: Queue, principal: CurrentPrincipal
    ) -> DetailOut:
        """Findings, exclusions, packets (the latest with its report and provenance),
        transitions, approvals, holds, and whether the caller may approve (and why not)."""
        return DetailOut.of(await queue.detail(release_id, principal))

    @post("/{release_id:uuid}/approve", opt=RULE, status_code=HTTPStatus.OK)
    async def approve(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[ApproveIn],
        queue: Queue,
        principal: CurrentPrincipal,
        state: AppState,
    ) -> Response[ApproveOut]:
        """Approve (or, for a sensitive release, record the first of two approvals). Once the
        approval has committed, the link is issued and mailed (a sweep covers a crash)."""
        outcome = await queue.approve(release_id, principal, data.row_version)
        approved = [release_id] if outcome.outcome == "approved" else []
        return Response(ApproveOut.of(outcome), background=deliver_after(state, approved))

    @post("/{release_id:uuid}/deny", opt=RULE, status_code=HTTPStatus.OK)
    async def deny(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[DenyIn],
        queue: Queue,
        principal: CurrentPrincipal,
    ) -> ReleaseStateOut:
        """Deny with a reason code from the fixed list."""
        release = await queue.deny(
            release_id, principal, data.row_version, data.reason_code, data.note
        )
        return ReleaseStateOut.of(release)

    @post("/{release_id:uuid}/hold", opt=RULE, status_code=HTTPStatus.OK)
    async def hold(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[HoldIn],
        queue: Queue,
        principal: CurrentPrincipal,
    ) -> ReleaseStateOut:
        """Put on hold with a reason code and a follow-up date."""
        release = await queue.hold(
            release_id,
            principal,
            row_version=data.row_version,
            reason_code=data.reason_code,
            follow_up_on=data.follow_up_on,
            note=data.note,
        )
        return ReleaseStateOut.of(release)

    @post("/{release_id:uuid}/reassign", opt=RULE, status_code=HTTPStatus.OK)
    async def reassign(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[ReassignIn],
        queue: Queue,
        principal: CurrentPrincipal,
    ) -> ReleaseStateOut:
        """Assign to an active staff member (or to nobody, with ``null``)."""
        release = await queue.reassign(release_id, principal, data.row_version, data.assignee_id)
        return ReleaseStateOut.of(release)

    @post("/bulk-approve", opt=RULE, status_code=HTTPStatus.OK)
    async def bulk_approve(
        self, data: JSONBody[BulkIn], queue: Queue, principal: CurrentPrincipal, state: AppState
    ) -> Response[BulkOut]:
        """Approve homogeneous releases; a result per row, each in its own transaction."""
        results = await queue.bulk_approve(data.to_domain(), principal)
        approved = [r.release_id for r in results if r.result == "approved"]
        return Response(BulkOut.of(results), background=deliver_after(state, approved))


def deliver_after(state: AppState, release_ids: list[uuid.UUID]) -> BackgroundTask | None:
    """Deliver approved releases after the response (so after the commit)."""
    if not release_ids:
        return None
    services: Services = state.services

    async def deliver() -> None:
        for release_id in release_ids:
            try:
                await deliver_release(services.delivery, release_id)
            except Exception as exc:  # noqa: BLE001 - the delivery sweep tries again
                log.warning(
                    "delivery.after_approval_failed",
                    release_id=str(release_id),
                    error=type(exc).__name__,
                )

    return BackgroundTask(deliver)


__all__ = ["QueueController"]
