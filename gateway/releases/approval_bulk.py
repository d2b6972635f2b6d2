"""Bulk approval of homogeneous releases: same requester (organisation, or vendor for work
orders), same legal-basis type, no open findings, not sensitive (a sensitive release needs two
people looking at it, one at a time). The first release found sets the group; each row is
approved or refused in a transaction of its own, with a result per row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.releases import approval_codes as codes
from gateway.releases.approval import ApprovalService
from gateway.releases.approval_read import load_release
from gateway.releases.models import Release
from gateway.releases.queue import open_findings
from kernel.clock import Clock
from kernel.errors import DomainError

MAX_BULK = 100
Group = tuple[uuid.UUID | None, str]


@dataclass(frozen=True, slots=True)
class BulkItem:
    release_id: uuid.UUID
    row_version: int


@dataclass(frozen=True, slots=True)
class BulkResult:
    release_id: uuid.UUID
    result: str  # "approved" or "refused"
    code: str | None = None
    state: str | None = None


class _Refused(DomainError):
    """A bulk-only refusal; the row's transaction rolls back."""

    def __init__(self, code: str) -> None:
        super().__init__("refused in bulk")
        self.code = code  # type: ignore[misc]  # per-instance reason code


def group_of(release: Release) -> Group:
    return (
        release.vendor_id if release.kind == "work_order" else release.organisation_id,
        release.basis_type,
    )


def bulk_refusal(release: Release, group: Group) -> str | None:
    if group_of(release) != group:
        return codes.BULK_NOT_HOMOGENEOUS
    if open_findings(release.findings):
        return codes.BULK_OPEN_FINDINGS
    if release.sensitive:
        return codes.BULK_SENSITIVE
    return None


class BulkApproval:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self.sessions, self.clock = sessions, clock
        self.group: Group | None = None

    async def run(self, items: Sequence[BulkItem], principal: Principal) -> list[BulkResult]:
        results: list[BulkResult] = []
        seen: set[uuid.UUID] = set()
        for item in items:
            if item.release_id in seen:
                results.append(BulkResult(item.release_id, "refused", codes.BULK_DUPLICATE))
                continue
            seen.add(item.release_id)
            results.append(await self._one(item, principal))
        return results

    async def _one(self, item: BulkItem, principal: Principal) -> BulkResult:
        try:
            async with self.sessions() as session, session.begin():
                return await self._approve(session, item, principal)
        except DomainError as exc:
            return BulkResult(item.release_id, "refused", exc.code)

    async def _approve(
        self, session: AsyncSession, item: BulkItem, principal: Principal
    ) -> BulkResult:
        release = await load_release(session, item.release_id)
        self.group = self.group or group_of(release)
        refused = bulk_refusal(release, self.group)
        if refused is not None:
            raise _Refused(refused)
        outcome = await ApprovalService(session, clock=self.clock).approve(
            item.release_id, principal, item.row_version
        )
        if outcome.outcome == "approved":
            return BulkResult(item.release_id, "approved", state=outcome.release.state)
        # A failed re-check moved the release: that move commits with this row's transaction.
        return BulkResult(item.release_id, "refused", codes.RECHECK_FAILED, outcome.release.state)
