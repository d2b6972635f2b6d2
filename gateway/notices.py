"""Notices sent at most once per kind, day and recipient (the BAA expiry notice, later others).

A row is claimed in the transaction that sends the mail; the primary key makes a second claim of
the same day fail before any mail goes out.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base


class NoticeSent(Base):
    """A notice of ``kind`` sent to user ``user_id`` for ``day``."""

    __tablename__ = "notices_sent"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
