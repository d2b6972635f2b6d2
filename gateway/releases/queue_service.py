"""The approval queue as one service for the API: list, search, detail, and the reviewer
actions of :mod:`gateway.releases.approval` over the request's session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.releases.approval import ApprovalOutcome, ApprovalService
from gateway.releases.approval_bulk import BulkApproval, BulkItem, BulkResult
from gateway.releases.approval_errors import RecheckFailed
from gateway.releases.approval_read import ReleaseDetail, read_detail
from gateway.releases.models import Release
from gateway.releases.queue import (
    Page,
    PatientSearch,
    QueueFilter,
    QueuePage,
    list_queue,
    search_queue,
)
from kernel.clock import Clock, today


class ReviewQueue:
    def __init__(
        self,
        session: AsyncSession,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
    ) -> None:
        self.session, self.sessions, self.clock = session, sessions, clock
        self.actions = ApprovalService(session, clock=clock)

    @property
    def today(self) -> date:
        return today(self.clock)

    async def listing(self, f: QueueFilter, page: Page) -> QueuePage:
        return await list_queue(self.session, f, page, on=self.today)

    async def search(self, search: PatientSearch) -> QueuePage:
        return await search_queue(self.session, search, on=self.today)

    async def detail(self, release_id: uuid.UUID, principal: Principal) -> ReleaseDetail:
        return await read_detail(
            self.session, release_id, principal.user_id, is_staff=principal.is_staff, on=self.today
        )

    async def approve(
        self, release_id: uuid.UUID, principal: Principal, row_version: int
    ) -> ApprovalOutcome:
        """Approve, or record the first approval of a sensitive release. A failed re-check
        moves the release (on hold or denied): that move is committed here, at the edge, before
        the approval is refused with :class:`RecheckFailed` (409)."""
        outcome = await self.actions.approve(release_id, principal, row_version)
        if outcome.findings:
            await self.session.commit()
            raise RecheckFailed(
                "a re-check failed",
                findings=list(outcome.findings),
                row_version=outcome.release.row_version,
            )
        return outcome

    async def deny(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        row_version: int,
        reason_code: str,
        note: str | None,
    ) -> Release:
        return await self.actions.deny(release_id, principal, row_version, reason_code, note)

    async def hold(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        *,
        row_version: int,
        reason_code: str,
        follow_up_on: date,
        note: str | None,
    ) -> Release:
        return await self.actions.hold(
            release_id,
            principal,
            row_version=row_version,
            reason_code=reason_code,
            follow_up_on=follow_up_on,
            note=note,
        )

    async def reassign(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        row_version: int,
        assignee_id: uuid.UUID | None,
    ) -> Release:
        return await self.actions.reassign(release_id, principal, row_version, assignee_id)

    async def bulk_approve(
        self, items: Sequence[BulkItem], principal: Principal
    ) -> list[BulkResult]:
        """Each row in a transaction of its own (not the request's session)."""
        return await BulkApproval(self.sessions, clock=self.clock).run(items, principal)
