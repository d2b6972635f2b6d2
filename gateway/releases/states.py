"""The release state machine of DESIGN.md, as data, and what each role sees of a state."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from kernel.errors import DomainError


class State(StrEnum):
    RECEIVED = "received"
    CHECKING = "checking"
    REJECTED = "rejected"
    ON_HOLD = "on_hold"
    ASSEMBLING = "assembling"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DENIED = "denied"
    RELEASED = "released"
    EXPIRED = "expired"
    REVOKED = "revoked"


S = State
TRANSITIONS: Mapping[State, frozenset[State]] = {
    S.RECEIVED: frozenset({S.CHECKING}),
    S.CHECKING: frozenset({S.REJECTED, S.ON_HOLD, S.ASSEMBLING}),
    S.ASSEMBLING: frozenset({S.IN_REVIEW, S.ON_HOLD, S.REJECTED}),
    S.IN_REVIEW: frozenset({S.ASSEMBLING, S.APPROVED, S.DENIED, S.ON_HOLD}),
    S.APPROVED: frozenset({S.RELEASED, S.ON_HOLD, S.DENIED}),
    S.ON_HOLD: frozenset({S.CHECKING, S.DENIED}),
    S.RELEASED: frozenset({S.EXPIRED, S.REVOKED}),
    S.REJECTED: frozenset(),
    S.DENIED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
}
FINAL: frozenset[State] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

REQUESTER_VIEW: Mapping[State, str] = {
    S.RECEIVED: "received",
    S.CHECKING: "received",
    S.REJECTED: "rejected",
    S.ON_HOLD: "on_hold",
    S.ASSEMBLING: "in_preparation",
    S.IN_REVIEW: "in_review",
    S.APPROVED: "in_review",
    S.RELEASED: "released",
    S.DENIED: "denied",
    S.EXPIRED: "expired",
    S.REVOKED: "expired",
}

STAFF_TAB: Mapping[State, str] = {
    S.RECEIVED: "new",
    S.CHECKING: "new",
    S.REJECTED: "needs_fix",
    S.ON_HOLD: "on_hold",
    S.ASSEMBLING: "assembling",
    S.IN_REVIEW: "in_review",
    S.APPROVED: "ready",
    S.RELEASED: "released",
    S.DENIED: "denied",
    S.EXPIRED: "released",
    S.REVOKED: "released",
}

STATE_CHECK = "state IN (" + ", ".join(f"'{s.value}'" for s in State) + ")"


class TransitionRefused(DomainError):
    """A release cannot move from its state to the asked one."""

    code = "RELEASE_STATE_CONFLICT"


def ensure_transition(current: State, target: State) -> None:
    """Raise :class:`TransitionRefused` unless DESIGN.md allows ``current -> target``."""
    if target not in TRANSITIONS[current]:
        raise TransitionRefused(
            "the release cannot move to that state", current=current.value, target=target.value
        )
