"""One row per limited key (its hash): the times of its events still inside the window, and
when the last of them leaves it (``until``, seconds since the epoch). A row past its ``until``
says nothing more than a missing row; such rows are pruned."""

from __future__ import annotations

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base


class RateLimitState(Base):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # key_digest(scope, key)
    events: Mapped[str] = mapped_column(Text)  # JSON list of event times, oldest first
    until: Mapped[float] = mapped_column(Float(precision=53), index=True)
