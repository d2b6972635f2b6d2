"""Who may approve a release now, as a pure function of facts read from the database.

The two-person rule (QA-01, DESIGN.md step 5): the approver is never a preparer (the staff member
who opened the request, or last edited its plan); a sensitive release needs two approvals of its
current packet version from two distinct staff members, neither a preparer.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from gateway.releases import approval_codes as codes
from gateway.releases.states import State


@dataclass(frozen=True, slots=True)
class ApprovalFacts:
    """What the rule needs to know about a release, its latest packet and its approvals."""

    state: State
    sensitive: bool
    preparers: frozenset[uuid.UUID]
    packet_version: int
    latest_packet_version: int | None
    latest_packet_verified: bool
    approvers: frozenset[uuid.UUID]  # who approved the current packet version so far


def approvals_needed(sensitive: bool) -> int:
    return 2 if sensitive else 1


def refusals(facts: ApprovalFacts, user_id: uuid.UUID, *, is_staff: bool = True) -> list[str]:
    """Every reason ``user_id`` may not approve now, most fundamental first; empty if they may."""
    found: list[str] = []
    if not is_staff:
        found.append(codes.NOT_STAFF)
    if facts.state is not State.IN_REVIEW:
        found.append(codes.NOT_IN_REVIEW)
    found.extend(_packet_refusals(facts))
    if user_id in facts.preparers:
        found.append(codes.APPROVER_IS_PREPARER)
    if user_id in facts.approvers:
        found.append(codes.SECOND_APPROVER_REQUIRED)
    return found


def _packet_refusals(facts: ApprovalFacts) -> list[str]:
    latest = facts.latest_packet_version
    if latest is None or latest != facts.packet_version:
        return [codes.PACKET_MISSING]
    return [] if facts.latest_packet_verified else [codes.PACKET_NOT_VERIFIED]


def completes_approval(facts: ApprovalFacts, approvers_after: Collection[uuid.UUID]) -> bool:
    """Whether, with ``approvers_after`` counted, the release has all approvals it needs."""
    return len(set(approvers_after)) >= approvals_needed(facts.sensitive)
