"""What the staff pages share: the services they call, due-date bands, error messages."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from litestar.datastructures import State as AppState
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db import build_session_maker
from gateway.releases.approval_codes import REFUSALS
from gateway.releases.assembly.review import ReviewService
from gateway.releases.queue_service import ReviewQueue
from gateway.releases.resume import HoldService
from gateway.services import Services

RULE = {"rule": "releases.review"}
SEE_OTHER: Literal[303] = 303

# What a reviewer reads when an action is refused (codes are stable; no PHI).
MESSAGES: dict[str, str] = {
    **REFUSALS,
    "RELEASE_CHANGED": "Someone changed this release since you opened it. Reload and try again.",
    "RELEASE_NOT_FOUND": "There is no such release.",
    "REASON_CODE_UNKNOWN": "Choose a reason from the list.",
    "FOLLOW_UP_INVALID": "The follow-up date must be a date after today.",
    "RECHECK_FAILED": "A re-check failed at approval; the release was moved (see its findings).",
    "RELEASE_STATE_CONFLICT": "The release is not in a state that allows this action.",
    "REVIEW_NOT_OPEN": "Boxes can only be changed while the release is in review.",
    "BOX_INVALID": "The box is not on a page of this release.",
    "BOX_NOT_FOUND": "That box is no longer there.",
    "REVOKE_REASON_UNKNOWN": "Choose a revoke reason from the list.",
    "LINK_NOT_FOUND": "There is no such link.",
    "FORM_INVALID": "The form was not filled in correctly.",
    "BULK_NOT_HOMOGENEOUS": "Not like the first row: another organisation or legal-basis type.",
    "BULK_OPEN_FINDINGS": "It has open findings: review it on its own.",
    "BULK_SENSITIVE": "It is sensitive: it needs two approvers, one at a time.",
    "BULK_DUPLICATE": "Ticked twice.",
}


def message_for(code: str) -> str:
    return MESSAGES.get(code, "The action was refused.")


def services_of(state: AppState) -> Services:
    services: Services = state.services
    return services


def queue_of(session: AsyncSession, state: AppState) -> ReviewQueue:
    services = services_of(state)
    return ReviewQueue(session, build_session_maker(services.engine), clock=services.clock)


def review_of(session: AsyncSession, state: AppState) -> ReviewService:
    return ReviewService(session, clock=services_of(state).clock)


def holds_of(session: AsyncSession, state: AppState) -> HoldService:
    return HoldService(session, clock=services_of(state).clock, site_rules=state.site_rules)


def band(days_left: int) -> str:
    """The colour band of a due date: overdue, due within 2 days, within 7, later."""
    if days_left < 0:
        return "overdue"
    if days_left <= 2:  # noqa: PLR2004 - the band edges
        return "urgent"
    if days_left <= 7:  # noqa: PLR2004
        return "soon"
    return "later"


def countdown(days_left: int) -> str:
    if days_left < 0:
        return f"{-days_left} day{'s' if days_left != -1 else ''} overdue"
    if days_left == 0:
        return "due today"
    return f"{days_left} day{'s' if days_left != 1 else ''} left"


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def jinja_helpers() -> dict[str, Any]:
    return {"band": band, "countdown": countdown}
