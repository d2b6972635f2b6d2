"""Reviewer actions on a release: approve (with the two-person rule and the re-checks), deny and
hold (with a reason code from the fixed lists), and reassign.

Every state change goes through :func:`gateway.releases.transitions.move` (a conditional update on
``state`` and ``row_version``); an action that does not change the state (a first approval of a
sensitive release, a reassignment) bumps ``row_version`` by the same kind of conditional update,
so a lost race is a ``ReleaseChanged`` (409) either way. The caller's transaction commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.auth.models import User
from gateway.auth.principal import Principal
from gateway.releases import approval_codes as codes
from gateway.releases.approval_errors import (
    AssigneeInvalid,
    FollowUpInvalid,
    ReasonCodeUnknown,
    refusal,
)
from gateway.releases.approval_models import ReleaseApproval, ReleaseHold
from gateway.releases.approval_read import load_release, read_facts
from gateway.releases.approval_rules import completes_approval, refusals
from gateway.releases.errors import ReleaseChanged
from gateway.releases.models import Release
from gateway.releases.recheck import recheck, target_after
from gateway.releases.states import State, TransitionRefused
from gateway.releases.transitions import Move, move
from kernel.clock import Clock, today

log = structlog.get_logger()
MAX_FOLLOW_UP_DAYS = 365
HOLDABLE = frozenset({State.IN_REVIEW, State.APPROVED})


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    """``approved``, ``approval_recorded`` (a sensitive release waits for its second approver),
    or ``recheck_failed`` (the release moved to ``state`` for the ``findings`` codes)."""

    outcome: str
    release: Release
    approvals: int
    needed: int
    findings: tuple[str, ...] = ()


class ApprovalService:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self.session, self.clock = session, clock

    async def approve(
        self, release_id: uuid.UUID, principal: Principal, row_version: int | None
    ) -> ApprovalOutcome:
        release = await self._release(release_id, row_version)
        facts = await read_facts(self.session, release)
        refused = refusals(facts, principal.user_id, is_staff=principal.is_staff)
        if refused:
            raise refusal(refused[0])
        needed = 2 if facts.sensitive else 1
        found_codes = await self.enforce_recheck(release, principal.actor)
        if found_codes:
            return ApprovalOutcome(
                codes.RECHECK_FAILED.lower(), release, len(facts.approvers), needed, found_codes
            )
        approvers = facts.approvers | {principal.user_id}
        if completes_approval(facts, approvers):
            return await self._approve(release, principal, len(approvers), needed)
        return await self._record(release, principal, len(approvers), needed)

    async def enforce_recheck(self, release: Release, actor: str) -> tuple[str, ...]:
        """Re-run the checks on a release in review or approved; if one fails, move it on hold
        or deny it (DESIGN.md: approved -> on_hold or denied) and return the finding codes.
        Delivery calls this too, before it issues a link."""
        found = await recheck(self.session, release, today(self.clock))
        if not found:
            return ()
        found_codes = tuple(f.code for f in found)
        step = Move(
            target_after(found),
            actor=actor,
            reason_code=found_codes[0],
            details={"recheck": list(found_codes)},
        )
        await move(self.session, release, step, clock=self.clock)
        log.info(
            "release.recheck_failed",
            release_id=str(release.id),
            state=release.state,
            codes=list(found_codes),
        )
        return found_codes

    async def _approve(
        self, release: Release, principal: Principal, count: int, needed: int
    ) -> ApprovalOutcome:
        details: dict[str, Any] = {"packet_version": release.packet_version, "approvals": count}
        step = Move(State.APPROVED, actor=principal.actor, details=details)
        await move(self.session, release, step, clock=self.clock)  # the race is decided here
        self._add_approval(release, principal)
        await self.session.flush()
        log.info("release.approved", release_id=str(release.id), actor_id=principal.actor)
        return ApprovalOutcome("approved", release, count, needed)

    async def _record(
        self, release: Release, principal: Principal, count: int, needed: int
    ) -> ApprovalOutcome:
        seen = release.row_version
        await self._touch(release)
        self._add_approval(release, principal)
        await self._ledger(
            release,
            principal,
            f"release:{release.id}:{seen}:approval_recorded",
            "release.approval_recorded",
            {"packet_version": release.packet_version, "approvals": count, "needed": needed},
        )
        log.info("release.approval_recorded", release_id=str(release.id), actor_id=principal.actor)
        return ApprovalOutcome("approval_recorded", release, count, needed)

    async def deny(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        row_version: int | None,
        reason_code: str,
        note: str | None = None,
    ) -> Release:
        if reason_code not in codes.DENY_REASONS:
            raise ReasonCodeUnknown("unknown deny reason code")
        release = await self._release(release_id, row_version)
        step = Move(State.DENIED, actor=principal.actor, reason_code=reason_code, note=note)
        await move(self.session, release, step, clock=self.clock)
        log.info("release.denied", release_id=str(release.id), reason_code=reason_code)
        return release

    async def hold(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        *,
        row_version: int | None,
        reason_code: str,
        follow_up_on: date,
        note: str | None = None,
    ) -> Release:
        if reason_code not in codes.HOLD_REASONS:
            raise ReasonCodeUnknown("unknown hold reason code")
        day = today(self.clock)
        if not day < follow_up_on <= day + timedelta(days=MAX_FOLLOW_UP_DAYS):
            raise FollowUpInvalid("follow-up date must lie within the next year")
        release = await self._release(release_id, row_version)
        if State(release.state) not in HOLDABLE:
            raise TransitionRefused("only a release in review or approved can be held")
        details: dict[str, Any] = {"follow_up_on": follow_up_on.isoformat()}
        step = Move(
            State.ON_HOLD,
            actor=principal.actor,
            reason_code=reason_code,
            note=note,
            details=details,
        )
        await move(self.session, release, step, clock=self.clock)
        self.session.add(
            ReleaseHold(
                release_id=release.id,
                reason_code=reason_code,
                follow_up_on=follow_up_on,
                note=note,
                held_by=principal.actor,
                at=self.clock.now(),
            )
        )
        await self.session.flush()
        log.info("release.held", release_id=str(release.id), reason_code=reason_code)
        return release

    async def reassign(
        self,
        release_id: uuid.UUID,
        principal: Principal,
        row_version: int | None,
        assignee_id: uuid.UUID | None,
    ) -> Release:
        if assignee_id is not None:
            await self._ensure_active_staff(assignee_id)
        release = await self._release(release_id, row_version)
        seen, previous = release.row_version, release.assignee_id
        await self._touch(release, assignee_id=assignee_id)
        details = {
            "assignee_id": str(assignee_id) if assignee_id else None,
            "previous_assignee_id": str(previous) if previous else None,
        }
        key = f"release:{release.id}:{seen}:reassigned"
        await self._ledger(release, principal, key, "release.reassigned", details)
        log.info("release.reassigned", release_id=str(release.id), actor_id=principal.actor)
        return release

    # internals

    async def _release(self, release_id: uuid.UUID, row_version: int | None) -> Release:
        release = await load_release(self.session, release_id)
        if row_version is not None and row_version != release.row_version:
            raise ReleaseChanged("the release changed since it was read", release=str(release.id))
        return release

    async def _ensure_active_staff(self, user_id: uuid.UUID) -> None:
        user = await self.session.scalar(select(User).where(User.id == user_id))
        if user is None or user.kind != "staff" or user.disabled:
            raise AssigneeInvalid("the assignee must be an active staff member")

    def _add_approval(self, release: Release, principal: Principal) -> None:
        self.session.add(
            ReleaseApproval(
                release_id=release.id,
                packet_version=release.packet_version,
                approver_id=principal.user_id,
                actor_id=principal.actor,
                at=self.clock.now(),
            )
        )

    async def _touch(self, release: Release, **values: Any) -> None:
        """Bump ``row_version`` (and set ``values``) if nobody changed the release since it was
        read; the state stays as it is."""
        result = await self.session.execute(
            update(Release)
            .where(
                Release.id == release.id,
                Release.state == release.state,
                Release.row_version == release.row_version,
            )
            .values(row_version=release.row_version + 1, updated_at=self.clock.now(), **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ReleaseChanged("the release changed since it was read", release=str(release.id))
        await self.session.refresh(release)

    async def _ledger(
        self, release: Release, principal: Principal, key: str, event: str, details: dict[str, Any]
    ) -> None:
        await self.session.flush()  # the ledger append goes last: it holds the head till commit
        await ledger.append(
            self.session,
            ledger.NewEntry(
                idempotency_key=key,
                actor_id=principal.actor,
                event_type=event,
                release_id=release.id,
                patient_id=release.patient_id,
                details=details,
            ),
            clock=self.clock,
        )
