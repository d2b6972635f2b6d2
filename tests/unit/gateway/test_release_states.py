"""The release state machine is DESIGN.md's table, and nothing else."""

from __future__ import annotations

import pytest

from gateway.releases.states import (
    FINAL,
    REQUESTER_VIEW,
    STAFF_TAB,
    TRANSITIONS,
    State,
    TransitionRefused,
    ensure_transition,
)

S = State
DESIGN_TABLE = {
    (S.RECEIVED, S.CHECKING),
    (S.CHECKING, S.REJECTED),
    (S.CHECKING, S.ON_HOLD),
    (S.CHECKING, S.ASSEMBLING),
    (S.ASSEMBLING, S.IN_REVIEW),
    (S.ASSEMBLING, S.ON_HOLD),
    (S.ASSEMBLING, S.REJECTED),
    (S.IN_REVIEW, S.ASSEMBLING),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.DENIED),
    (S.IN_REVIEW, S.ON_HOLD),
    (S.APPROVED, S.RELEASED),
    (S.APPROVED, S.ON_HOLD),
    (S.APPROVED, S.DENIED),
    (S.ON_HOLD, S.CHECKING),
    (S.ON_HOLD, S.DENIED),
    (S.RELEASED, S.EXPIRED),
    (S.RELEASED, S.REVOKED),
}


@pytest.mark.parametrize("current", list(State))
@pytest.mark.parametrize("target", list(State))
def test_only_the_transitions_of_the_design_table_are_allowed(
    current: State, target: State
) -> None:
    if (current, target) in DESIGN_TABLE:
        ensure_transition(current, target)
    else:
        with pytest.raises(TransitionRefused) as refused:
            ensure_transition(current, target)
        assert refused.value.code == "RELEASE_STATE_CONFLICT"


def test_the_final_states_are_the_four_of_the_design() -> None:
    assert {S.REJECTED, S.DENIED, S.EXPIRED, S.REVOKED} == FINAL
    assert set(TRANSITIONS) == set(State)


def test_every_state_has_a_requester_view_and_a_staff_tab() -> None:
    assert set(REQUESTER_VIEW) == set(State) == set(STAFF_TAB)
    assert REQUESTER_VIEW[S.APPROVED] == "in_review"  # a requester never sees "approved"
    assert STAFF_TAB[S.REVOKED] == "released"
