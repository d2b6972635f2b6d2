"""Retention of instruments (RET-01): authorizations, consents, QPOs, BAAs and the like are kept
at least six years from creation or from the date they were last in effect, whichever is later."""

from __future__ import annotations

from datetime import date

from contracts.decision import Decision, decide, finding

RETENTION_YEARS = 6


def _add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` on; 29 February lands on 1 March (later, never earlier)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def retain_until(created_on: date, last_effective_on: date | None = None) -> date:
    """The first day on which the record may be deleted: six years after the later of its
    creation and its last effective date (164.530(j)(2); 164.508(b)(6))."""
    anchor = max(created_on, last_effective_on or created_on)
    return _add_years(anchor, RETENTION_YEARS)


def check_deletion(created_on: date, last_effective_on: date | None, *, on: date) -> Decision:
    """RET-01: may the record be deleted on ``on``? Before the retention date it may not."""
    early = on < retain_until(created_on, last_effective_on)
    return decide([finding("RETENTION_NOT_ELAPSED")] if early else [])
