"""Tables of users and access: organisations, users, integration tokens, sessions, throttling.

Secrets are stored only as SHA-256 digests (session ids, integration tokens) or argon2 hashes
(passwords). The TOTP secret must be readable to verify codes; field encryption at rest is R35
(later). Enumerations are strings with CHECK constraints so the schema reads the same on SQLite
and PostgreSQL. Relationships are not mapped: repositories join explicitly.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base

ROLE_CHECK = (
    "(kind = 'staff' AND role IN ('admin', 'specialist') AND organisation_id IS NULL)"
    " OR (kind = 'requester' AND role IN ('attorney', 'payer') AND organisation_id IS NOT NULL)"
)
TOKEN_ROLE_CHECK = (  # SQL, not a secret
    "(role IN ('admin', 'specialist') AND organisation_id IS NULL)"  # noqa: S105
    " OR (role IN ('attorney', 'payer') AND organisation_id IS NOT NULL)"
)


class Organisation(Base):
    """A requester organisation: a law firm (attorney) or a payer."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('attorney', 'payer')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class User(Base):
    """A human: staff (admin, specialist) or a requester of one organisation (attorney, payer)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role_kind_organisation"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str] = mapped_column(String(64))
    totp_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The newest TOTP time step accepted: a code is never accepted twice (replay).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class IntegrationToken(Base):
    """An opaque ``roi_`` bearer token for an integration, stored only as its SHA-256."""

    __tablename__ = "integration_tokens"
    __table_args__ = (CheckConstraint(TOKEN_ROLE_CHECK, name="role_organisation"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class UserSession(Base):
    """A server-side web session; ``id`` is the SHA-256 of the cookie value."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class LoginThrottle(Base):
    """Failed sign-ins per account or per client address; ``key`` is a SHA-256, never the
    e-mail address or IP itself."""

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("scope IN ('account', 'address')", name="scope"),)

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
