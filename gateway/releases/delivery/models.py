"""Delivery links: one row per link, bound to one packet version of one release and to its one
recipient. The token in the URL is signed and carries only this row's id; the row is the
authority (expiry, use count, revocation, the recipient code)."""

from __future__ import annotations

import uuid
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base


class DeliveryLink(Base):
    __tablename__ = "delivery_links"
    __table_args__ = (
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="uses_within_limit"),
        CheckConstraint("max_uses >= 1", name="max_uses_positive"),
        CheckConstraint("code_attempts >= 0", name="code_attempts_non_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"), index=True)
    packet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packets.id"))
    packet_version: Mapped[int] = mapped_column(Integer)
    # "vendor", "organisation" or "person": who the link was made for (release.recipient names it)
    recipient_kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reason: Mapped[str | None] = mapped_column(String(80))
    expired_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    notified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Recipient binding (SECURITY.md R11): the code's salted hash, never the code.
    code_required: Mapped[bool] = mapped_column(Boolean, default=False)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    code_sent_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # The last recipient-code proof this link accepted (a random nonce's hash), for the browser
    # that redeemed the code: it must present the nonce with the download.
    proof_hash: Mapped[str | None] = mapped_column(String(64))
    proof_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
