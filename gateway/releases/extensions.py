"""The one extension of a request's due date (ACC-01): a staff member states the reasons on or
before the due date; the due date moves by ``settings.requests.extension_days`` (at most 30).

``release_extensions`` keeps the letter's facts (who, when, old and new date, the reasons); its
primary key is the release id, so a second extension cannot be stored even by two concurrent
calls, and ``releases.extensions`` (CHECK <= 1) is moved by a conditional update. The ledger gets
``release.extended`` (dates only; the reasons stay in the table) in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, String, Text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from contracts import Extension, check_extensions
from gateway import ledger
from gateway.releases.models import Release
from gateway.releases.request_errors import ExtensionRefused, RequestClosed
from gateway.releases.states import FINAL, State
from kernel.clock import Clock, today
from kernel.db import Base

CLOSED = FINAL | {State.RELEASED}


class ReleaseExtension(Base):
    __tablename__ = "release_extensions"

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    letter_on: Mapped[date] = mapped_column(Date)
    previous_due_on: Mapped[date] = mapped_column(Date)
    new_due_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


def _refusal(release: Release, letter_on: date, new_due: date, reasons: str) -> str | None:
    """The first failed ACC-01 check, as its reason code; for every basis type the same
    rule as for the right of access: once, on or before the due date, with reasons."""
    if release.extensions >= 1:
        return "ACC_EXTENSION_REPEATED"
    if letter_on > release.due_on:
        return "ACC_EXTENSION_LATE"
    if not reasons.strip():
        return "ACC_EXTENSION_REASON_MISSING"
    if release.basis_type == "access_request":
        received = release.created_at.date()
        found = check_extensions(received, [Extension(letter_on, new_due, reasons)]).findings
        return found[0].code if found else None
    return None


async def extend(
    session: AsyncSession,
    release: Release,
    *,
    reasons: str,
    days: int,
    actor: str,
    clock: Clock,
) -> ReleaseExtension:
    if State(release.state) in CLOSED:
        raise RequestClosed("the request is closed", release=str(release.id))
    letter_on = today(clock)
    new_due = release.due_on + timedelta(days=days)
    code = _refusal(release, letter_on, new_due, reasons)
    if code is not None:
        raise ExtensionRefused(code, release=str(release.id))
    moved = await session.execute(
        update(Release)
        .where(Release.id == release.id, Release.extensions == 0)
        .values(extensions=1, due_on=new_due, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ExtensionRefused("ACC_EXTENSION_REPEATED", release=str(release.id))
    row = ReleaseExtension(
        release_id=release.id,
        letter_on=letter_on,
        previous_due_on=release.due_on,
        new_due_on=new_due,
        reasons=reasons.strip(),
        created_by=actor,
        created_at=clock.now(),
    )
    session.add(row)
    await ledger.append(
        session,
        ledger.NewEntry(
            idempotency_key=f"release:{release.id}:extended",
            actor_id=actor,
            event_type="release.extended",
            release_id=release.id,
            patient_id=release.patient_id,
            details={"previous_due_on": release.due_on.isoformat(), "due_on": new_due.isoformat()},
        ),
        clock=clock,
    )
    await session.refresh(release)
    return row
