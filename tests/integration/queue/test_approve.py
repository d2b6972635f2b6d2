"""Approve, deny, hold and reassign over HTTP, with the two-person rule (QA-01), the re-checks at
approval, and optimistic concurrency; the ledger verifies after each test."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import User
from gateway.auth.rules import Role
from gateway.releases.approval_models import ReleaseApproval, ReleaseHold
from gateway.releases.models import Release, ReleaseTransition
from tests.builders.approval import TODAY, authorization, create_organisation, create_release
from tests.integration.queue.conftest import QUEUE, Person, World

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


async def seeded(world: World, **fields: Any) -> Release:
    async def build(session: AsyncSession) -> Release:
        return await create_release(session, **fields)

    return await world.run(build)


async def transitions(world: World, release: Release) -> list[tuple[str, str | None]]:
    async def read(session: AsyncSession) -> list[tuple[str, str | None]]:
        rows = await session.scalars(
            select(ReleaseTransition).where(ReleaseTransition.release_id == release.id)
        )
        return [(t.to_state, t.reason_code) for t in rows]

    return await world.run(read)


@pytest.fixture
async def preparer(world: World) -> Person:
    return await world.person(Role.SPECIALIST)


class TestTwoPersonRule:
    async def test_the_preparer_who_opened_the_request_cannot_approve(
        self, world: World, preparer: Person
    ) -> None:
        release = await seeded(world, opened_by=preparer.user.id)
        response = await preparer.act(release, "approve")
        assert (response.status_code, response.json()["code"]) == (403, "APPROVER_IS_PREPARER")
        assert (await world.release(release.id)).state == "in_review"
        assert await world.events(release.id) == []

    async def test_the_staff_member_who_last_edited_the_plan_cannot_approve(
        self, world: World, preparer: Person
    ) -> None:
        editor = await world.person(Role.ADMIN)
        release = await seeded(world, opened_by=preparer.user.id, plan_edited_by=editor.user.id)
        response = await editor.act(release, "approve")
        assert (response.status_code, response.json()["code"]) == (403, "APPROVER_IS_PREPARER")
        detail = (await editor.get(f"{QUEUE}/{release.id}")).json()
        assert detail["may_approve"]["refusals"] == ["APPROVER_IS_PREPARER"]

    async def test_another_staff_member_approves_and_the_ledger_records_it(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        release = await seeded(world, opened_by=preparer.user.id)
        response = await approver.act(release, "approve")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["outcome"], body["state"], body["approvals"], body["needed"]) == (
            "approved",
            "approved",
            1,
            1,
        )
        assert (await world.release(release.id)).state == "approved"
        assert await world.events(release.id) == ["release.approved"]
        assert await transitions(world, release) == [("approved", None)]
        assert await world.ledger_ok()

    async def test_a_sensitive_release_needs_two_distinct_approvers_neither_the_preparer(
        self, world: World, preparer: Person
    ) -> None:
        first, second = await world.person(), await world.person(Role.ADMIN)
        release = await seeded(world, opened_by=preparer.user.id, sensitive=True)
        one = await first.act(release, "approve")
        assert one.status_code == 200, one.text
        assert (one.json()["outcome"], one.json()["state"]) == ("approval_recorded", "in_review")
        release = await world.release(release.id)
        again = await first.act(release, "approve")
        assert (again.status_code, again.json()["code"]) == (403, "SECOND_APPROVER_REQUIRED")
        by_preparer = await preparer.act(release, "approve")
        assert by_preparer.json()["code"] == "APPROVER_IS_PREPARER"
        two = await second.act(release, "approve")
        assert two.status_code == 200, two.text
        assert (two.json()["outcome"], two.json()["state"], two.json()["approvals"]) == (
            "approved",
            "approved",
            2,
        )
        assert await world.events(release.id) == ["release.approval_recorded", "release.approved"]
        detail = (await second.get(f"{QUEUE}/{release.id}")).json()
        approvers = {a["approver_id"] for a in detail["approvals"]}
        assert approvers == {str(first.user.id), str(second.user.id)}
        assert await world.ledger_ok()

    async def test_only_a_release_in_review_with_a_verified_packet_can_be_approved(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        unverified = await seeded(world, opened_by=preparer.user.id, packet=False)
        missing = await seeded(world, opened_by=preparer.user.id, packet=None)
        assembling = await seeded(world, opened_by=preparer.user.id, state="assembling")
        for release, code in (
            (unverified, "PACKET_NOT_VERIFIED"),
            (missing, "PACKET_MISSING"),
            (assembling, "NOT_IN_REVIEW"),
        ):
            response = await approver.act(release, "approve")
            assert (response.status_code, response.json()["code"]) == (409, code)
            assert (await world.release(release.id)).state == release.state


class TestConcurrency:
    async def test_a_stale_row_version_is_a_conflict_and_changes_nothing(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        release = await seeded(world, opened_by=preparer.user.id)
        response = await approver.act(release, "approve", row_version=release.row_version + 5)
        assert (response.status_code, response.json()["code"]) == (409, "RELEASE_CHANGED")
        assert (await world.release(release.id)).row_version == release.row_version

    async def test_concurrent_approvals_of_one_release_exactly_one_wins(
        self, world: World, preparer: Person
    ) -> None:
        approvers = [await world.person() for _ in range(6)]
        release = await seeded(world, opened_by=preparer.user.id)
        responses = await asyncio.gather(*(a.act(release, "approve") for a in approvers))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [409] * 5, [r.text for r in responses]
        assert await world.events(release.id) == ["release.approved"]

        async def approvals(session: AsyncSession) -> int:
            rows = await session.scalars(
                select(ReleaseApproval).where(ReleaseApproval.release_id == release.id)
            )
            return len(rows.all())

        assert await world.run(approvals) == 1
        assert await world.ledger_ok()


class TestDenyHoldReassign:
    async def test_deny_needs_a_reason_code_from_the_fixed_list(
        self, world: World, preparer: Person
    ) -> None:
        reviewer = await world.person()
        release = await seeded(world, opened_by=preparer.user.id)
        missing = await reviewer.act(release, "deny")
        assert missing.status_code == 400
        unknown = await reviewer.act(release, "deny", reason_code="BECAUSE")
        assert (unknown.status_code, unknown.json()["code"]) == (422, "REASON_CODE_UNKNOWN")
        assert (await world.release(release.id)).state == "in_review"
        denied = await reviewer.act(release, "deny", reason_code="DENY_AUTH_INVALID")
        assert denied.status_code == 200, denied.text
        assert (denied.json()["state"], denied.json()["tab"]) == ("denied", "denied")
        assert await transitions(world, release) == [("denied", "DENY_AUTH_INVALID")]
        assert await world.events(release.id) == ["release.denied"]

    async def test_hold_records_its_reason_and_follow_up_date(
        self, world: World, preparer: Person
    ) -> None:
        reviewer = await world.person()
        release = await seeded(world, opened_by=preparer.user.id)
        follow = (TODAY + timedelta(days=7)).isoformat()
        past = await reviewer.act(
            release, "hold", reason_code="HOLD_LEGAL_REVIEW", follow_up_on=TODAY.isoformat()
        )
        assert (past.status_code, past.json()["code"]) == (422, "FOLLOW_UP_INVALID")
        no_date = await reviewer.act(release, "hold", reason_code="HOLD_LEGAL_REVIEW")
        assert no_date.status_code == 400
        held = await reviewer.act(
            release, "hold", reason_code="HOLD_LEGAL_REVIEW", follow_up_on=follow
        )
        assert held.status_code == 200, held.text
        assert held.json()["state"] == "on_hold"
        detail = (await reviewer.get(f"{QUEUE}/{release.id}")).json()
        assert [(h["reason_code"], h["follow_up_on"]) for h in detail["holds"]] == [
            ("HOLD_LEGAL_REVIEW", follow)
        ]
        assert detail["may_approve"]["refusals"] == ["NOT_IN_REVIEW"]
        assert await world.events(release.id) == ["release.on_hold"]

    async def test_reassign_only_to_an_active_staff_member(
        self, world: World, preparer: Person
    ) -> None:
        reviewer, colleague = await world.person(), await world.person()
        attorney = await world.person(Role.ATTORNEY)
        release = await seeded(world, opened_by=preparer.user.id)
        to_requester = await reviewer.act(release, "reassign", assignee_id=str(attorney.user.id))
        assert (to_requester.status_code, to_requester.json()["code"]) == (422, "ASSIGNEE_INVALID")

        async def disable(session: AsyncSession) -> None:
            await session.execute(
                update(User).where(User.id == preparer.user.id).values(disabled=True)
            )

        await world.run(disable)
        to_disabled = await reviewer.act(release, "reassign", assignee_id=str(preparer.user.id))
        assert to_disabled.json()["code"] == "ASSIGNEE_INVALID"
        moved = await reviewer.act(release, "reassign", assignee_id=str(colleague.user.id))
        assert moved.status_code == 200, moved.text
        assert moved.json()["assignee_id"] == str(colleague.user.id)
        assert moved.json()["row_version"] == release.row_version + 1
        stale = await reviewer.act(release, "reassign", assignee_id=None)
        assert stale.json()["code"] == "RELEASE_CHANGED"
        assert await world.events(release.id) == ["release.reassigned"]
        assert await world.ledger_ok()


class TestRecheckAtApproval:
    async def test_an_authorization_expired_since_intake_puts_the_release_on_hold(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        expired = authorization(expiration_date=(TODAY - timedelta(days=1)).isoformat())
        release = await seeded(world, opened_by=preparer.user.id, basis=expired)
        response = await approver.act(release, "approve")
        assert (response.status_code, response.json()["code"]) == (409, "RECHECK_FAILED")
        assert response.json()["data"]["findings"] == ["AUTH_EXPIRED"]
        assert (await world.release(release.id)).state == "on_hold"
        assert await transitions(world, release) == [("on_hold", "AUTH_EXPIRED")]
        assert await world.events(release.id) == ["release.on_hold"]

    async def test_a_revoked_authorization_denies_the_release(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        revoked = authorization(revoked_on=TODAY.isoformat())
        release = await seeded(world, opened_by=preparer.user.id, basis=revoked)
        response = await approver.act(release, "approve")
        assert response.json()["code"] == "RECHECK_FAILED"
        assert (await world.release(release.id)).state == "denied"

    async def test_a_vendor_without_a_baa_in_force_is_held_at_approval(
        self, world: World, preparer: Person
    ) -> None:
        admin = await world.person(Role.ADMIN)
        vendor = await admin.post(
            "/api/v1/vendors", {"name": "Copy Co (synthetic)", "kind": "copy"}
        )
        assert vendor.status_code == 201, vendor.text
        release = await seeded(
            world,
            opened_by=preparer.user.id,
            vendor_id=uuid.UUID(vendor.json()["id"]),
            basis_type="none",
        )
        response = await admin.act(release, "approve")
        assert response.json()["data"]["findings"] == ["BAA_MISSING"]
        assert (await world.release(release.id)).state == "on_hold"


class TestBulkApprove:
    async def test_a_mixed_batch_gets_a_result_per_row(
        self, world: World, preparer: Person
    ) -> None:
        approver = await world.person()
        org = await world.run(create_organisation)
        other = await world.run(create_organisation)
        same = {"opened_by": preparer.user.id, "organisation_id": org.id}
        good = [await seeded(world, **same) for _ in range(3)]
        other_org = await seeded(world, opened_by=preparer.user.id, organisation_id=other.id)
        other_basis = await seeded(world, **same, basis_type="subpoena")
        with_findings = await seeded(world, **same, findings=[{"code": "AUTH_FALSE_INFO"}])
        sensitive = await seeded(world, **same, sensitive=True)
        own = await seeded(world, opened_by=approver.user.id, organisation_id=org.id)
        stale = await seeded(world, **same)
        rows = [good[0], other_org, good[1], other_basis, with_findings, sensitive, own, good[2]]
        items = [{"release_id": str(r.id), "row_version": r.row_version} for r in rows]
        items.append({"release_id": str(stale.id), "row_version": stale.row_version + 1})
        items.append(items[0])
        response = await approver.post(f"{QUEUE}/bulk-approve", {"items": items})
        assert response.status_code == 200, response.text
        body = response.json()
        got = [(r["result"], r["code"]) for r in body["results"]]
        assert got == [
            ("approved", None),
            ("refused", "BULK_NOT_HOMOGENEOUS"),
            ("approved", None),
            ("refused", "BULK_NOT_HOMOGENEOUS"),
            ("refused", "BULK_OPEN_FINDINGS"),
            ("refused", "BULK_SENSITIVE"),
            ("refused", "APPROVER_IS_PREPARER"),
            ("approved", None),
            ("refused", "RELEASE_CHANGED"),
            ("refused", "BULK_DUPLICATE"),
        ]
        assert (body["approved"], body["refused"]) == (3, 7)
        for release in good:
            assert (await world.release(release.id)).state == "approved"
        for release in (other_org, other_basis, with_findings, sensitive, own, stale):
            assert (await world.release(release.id)).state == "in_review"
        assert await world.ledger_ok()

    async def test_an_empty_or_oversized_batch_is_refused(self, world: World) -> None:
        approver = await world.person()
        assert (await approver.post(f"{QUEUE}/bulk-approve", {"items": []})).status_code == 400
        item = {"release_id": "00000000-0000-4000-8000-000000000001", "row_version": 1}
        too_many = await approver.post(f"{QUEUE}/bulk-approve", {"items": [item] * 101})
        assert too_many.status_code == 400


async def test_R26_clients_cannot_set_the_state_or_the_approver(
    world: World, preparer: Person
) -> None:
    approver = await world.person()
    release = await seeded(world, opened_by=preparer.user.id)
    forged = await approver.act(
        release, "approve", state="approved", approver_id=str(preparer.user.id)
    )
    assert forged.status_code == 400
    assert (await world.release(release.id)).state == "in_review"


async def test_the_hold_row_keeps_the_note_out_of_the_ledger(
    world: World, preparer: Person
) -> None:
    reviewer = await world.person()
    release = await seeded(world, opened_by=preparer.user.id)
    note = "call the firm back (synthetic)"
    follow = (TODAY + timedelta(days=3)).isoformat()
    held = await reviewer.act(
        release, "hold", reason_code="HOLD_AWAITING_REQUESTER", follow_up_on=follow, note=note
    )
    assert held.status_code == 200, held.text

    async def read(session: AsyncSession) -> tuple[str | None, str]:
        from gateway.ledger.models import LedgerEntry  # noqa: PLC0415

        hold = await session.scalar(select(ReleaseHold).where(ReleaseHold.release_id == release.id))
        entry = await session.scalar(
            select(LedgerEntry).where(LedgerEntry.release_id == release.id)
        )
        assert hold is not None
        assert entry is not None
        return hold.note, str(entry.details)

    stored, details = await world.run(read)
    assert stored == note
    assert note not in details
