"""Move a release from one state to the next: the one way any code changes ``releases.state``.

A move is a conditional update (``WHERE id = ? AND state = ? AND row_version = ?``), so two
concurrent actors cannot both move the same release; it records a ``release_transitions`` row and
appends ``release.<state>`` to the disclosure ledger in the caller's transaction (append last: the
ledger head is held until commit). The ledger key is ``release:<id>:<row_version>:<state>``, so a
workflow step that runs twice after a crash writes one entry: the second run either finds the
release already moved (and skips) or repeats the same key inside the same uncommitted state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.ledger.chain import JsonValue
from gateway.releases.errors import ReleaseChanged
from gateway.releases.models import Release, ReleaseTransition
from gateway.releases.states import State, ensure_transition
from kernel.clock import Clock


@dataclass(frozen=True, slots=True)
class Move:
    """One asked-for transition. ``actor`` is ``user:<uuid>``, ``token:<uuid>`` or
    ``system:<component>``; ``details`` are codes and counts, never PHI."""

    target: State
    actor: str
    reason_code: str | None = None
    note: str | None = None
    details: Mapping[str, JsonValue] | None = None


async def move(session: AsyncSession, release: Release, step: Move, *, clock: Clock) -> Release:
    """Apply ``step`` to ``release`` (as last read) or raise ``TransitionRefused`` (not allowed
    from its state) or ``ReleaseChanged`` (someone moved it since it was read)."""
    current = State(release.state)
    ensure_transition(current, step.target)
    now = clock.now()
    result = await session.execute(
        update(Release)
        .where(
            Release.id == release.id,
            Release.state == current.value,
            Release.row_version == release.row_version,
        )
        .values(state=step.target.value, row_version=release.row_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ReleaseChanged("the release changed since it was read", release=str(release.id))
    key = f"release:{release.id}:{release.row_version}:{step.target.value}"
    session.add(
        ReleaseTransition(
            release_id=release.id,
            from_state=current.value,
            to_state=step.target.value,
            reason_code=step.reason_code,
            note=step.note,
            actor_id=step.actor,
            at=now,
        )
    )
    details: dict[str, JsonValue] = {"from": current.value, **(step.details or {})}
    if step.reason_code is not None:
        details["reason_code"] = step.reason_code
    await ledger.append(
        session,
        ledger.NewEntry(
            idempotency_key=key,
            actor_id=step.actor,
            event_type=f"release.{step.target.value}",
            release_id=release.id,
            patient_id=release.patient_id,
            details=details,
        ),
        clock=clock,
    )
    await session.refresh(release)
    return release
