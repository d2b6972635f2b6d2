"""The two-person rule and the stored-basis re-check as pure functions (QA-01, AUTH-02, AUTH-05)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from gateway.releases.approval_errors import CursorInvalid
from gateway.releases.approval_rules import ApprovalFacts, completes_approval, refusals
from gateway.releases.queue import decode_cursor, open_findings
from gateway.releases.recheck import basis_findings, target_after
from gateway.releases.states import State

OPENER, EDITOR, ALICE, BOB = (uuid.uuid4() for _ in range(4))
FACTS = ApprovalFacts(
    state=State.IN_REVIEW,
    sensitive=False,
    preparers=frozenset({OPENER, EDITOR}),
    packet_version=2,
    latest_packet_version=2,
    latest_packet_verified=True,
    approvers=frozenset(),
)
DAY = date(2026, 12, 4)


class TestRefusals:
    def test_anyone_else_on_staff_may_approve_a_ready_release(self) -> None:
        assert refusals(FACTS, ALICE) == []

    @pytest.mark.parametrize("preparer", [OPENER, EDITOR])
    def test_a_preparer_never_approves(self, preparer: uuid.UUID) -> None:
        assert refusals(FACTS, preparer) == ["APPROVER_IS_PREPARER"]

    def test_the_first_approver_of_a_sensitive_release_cannot_be_the_second(self) -> None:
        facts = replace(FACTS, sensitive=True, approvers=frozenset({ALICE}))
        assert refusals(facts, ALICE) == ["SECOND_APPROVER_REQUIRED"]
        assert refusals(facts, BOB) == []

    def test_the_packet_must_be_the_current_version_and_verified(self) -> None:
        assert refusals(replace(FACTS, latest_packet_version=1), ALICE) == ["PACKET_MISSING"]
        assert refusals(replace(FACTS, latest_packet_version=None), ALICE) == ["PACKET_MISSING"]
        unverified = replace(FACTS, latest_packet_verified=False)
        assert refusals(unverified, ALICE) == ["PACKET_NOT_VERIFIED"]

    def test_every_reason_is_listed_most_fundamental_first(self) -> None:
        facts = replace(FACTS, state=State.ON_HOLD, latest_packet_verified=False)
        assert refusals(facts, OPENER, is_staff=False) == [
            "APPROVER_NOT_STAFF",
            "NOT_IN_REVIEW",
            "PACKET_NOT_VERIFIED",
            "APPROVER_IS_PREPARER",
        ]

    def test_a_sensitive_release_is_complete_only_with_two_distinct_approvers(self) -> None:
        sensitive = replace(FACTS, sensitive=True)
        assert not completes_approval(sensitive, [ALICE])
        assert not completes_approval(sensitive, [ALICE, ALICE])
        assert completes_approval(sensitive, [ALICE, BOB])
        assert completes_approval(FACTS, [ALICE])


def auth(**fields: str) -> dict[str, str]:
    return {"type": "authorization", **fields}


class TestBasisRecheck:
    def test_an_authorization_valid_today_passes(self) -> None:
        assert basis_findings("authorization", auth(expiration_date="2026-12-04"), DAY) == []
        assert basis_findings("none", {}, DAY) == []

    def test_an_expired_authorization_holds_and_a_revoked_one_denies(self) -> None:
        expired = basis_findings("authorization", auth(expiration_date="2026-12-03"), DAY)
        assert [f.code for f in expired] == ["AUTH_EXPIRED"]
        assert target_after(expired) is State.ON_HOLD
        event = basis_findings("authorization", {**auth(), "expiration_event_occurred": True}, DAY)
        assert [f.code for f in event] == ["AUTH_EXPIRED"]
        revoked = basis_findings(
            "authorization", auth(expiration_date="2027-01-01", revoked_on="2026-12-04"), DAY
        )
        assert [f.code for f in revoked] == ["AUTH_REVOKED"]
        assert target_after(revoked) is State.DENIED

    def test_a_basis_that_does_not_load_or_is_missing_fails_closed(self) -> None:
        unreadable = basis_findings("authorization", auth(expiration_date="soon"), DAY)
        assert [f.code for f in unreadable] == ["LEGAL_BASIS_MISSING"]
        assert [f.code for f in basis_findings("subpoena", {}, DAY)] == ["LEGAL_BASIS_MISSING"]


def test_open_findings_are_the_unresolved_ones() -> None:
    assert open_findings([{"code": "A"}, {"code": "B", "resolved": True}, {"code": "C"}]) == 2


@pytest.mark.parametrize("cursor", ["", "%%%", "eyJ4IjogMX0", "bm90IGpzb24"])
def test_a_cursor_the_server_did_not_make_is_refused(cursor: str) -> None:
    with pytest.raises(CursorInvalid):
        decode_cursor("due_on", cursor)
