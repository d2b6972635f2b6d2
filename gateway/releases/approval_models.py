"""Tables of the approval queue: each approver's approval of a packet version, and each hold
with its follow-up date.

An approval counts for the packet version it was given on: a re-assembly (a new version) needs
new approvals. ``(release_id, packet_version, approver_id)`` is unique, so one person cannot
count twice for the two-person rule of a sensitive release.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.releases.models import Release
from kernel.db import Base

# The queue's orders (due date or creation time, then id) walk an index instead of sorting the
# whole table; declared here, with the queue's migration, rather than in the shared models module.
Index("ix_releases_due_on_id", Release.due_on, Release.id)
Index("ix_releases_created_at_id", Release.created_at, Release.id)


class ReleaseApproval(Base):
    """One approver's approval of one packet version of a release. ``actor_id`` is the audit
    actor (``user:<id>`` or ``token:<id>``); ``approver_id`` the accountable human."""

    __tablename__ = "release_approvals"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "packet_version", "approver_id", name="uq_release_approvals_approver"
        ),
        CheckConstraint("packet_version >= 1", name="packet_version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"), index=True)
    packet_version: Mapped[int] = mapped_column(Integer)
    approver_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    actor_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ReleaseHold(Base):
    """A hold put on a release by staff: its reason code, when to follow it up, and an optional
    note for staff (never logged, never in the ledger)."""

    __tablename__ = "release_holds"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(80))
    follow_up_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
