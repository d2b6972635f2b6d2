"""users and sessions: organisations, users, integration tokens, web sessions, sign-in throttling

Revision ID: 095f27335817
Revises: 7d9fbc574420
Create Date: 2026-11-27 09:28:34
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "095f27335817"
down_revision: str | None = "7d9fbc574420"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER_ROLE_CHECK = (
    "(kind = 'staff' AND role IN ('admin', 'specialist') AND organisation_id IS NULL)"
    " OR (kind = 'requester' AND role IN ('attorney', 'payer') AND organisation_id IS NOT NULL)"
)
TOKEN_ROLE_CHECK = (
    "(role IN ('admin', 'specialist') AND organisation_id IS NULL)"
    " OR (role IN ('attorney', 'payer') AND organisation_id IS NOT NULL)"
)


def _at(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    """A UTC timestamp (the models use advanced-alchemy's DateTimeUTC over this type)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _at("created_at"),
        sa.CheckConstraint("kind IN ('attorney', 'payer')", name=op.f("ck_organisations_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("totp_enrolled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.CheckConstraint(USER_ROLE_CHECK, name=op.f("ck_users_role_kind_organisation")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    _index("users", "organisation_id")
    op.create_table(
        "integration_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("revoked_at", nullable=True),
        _at("last_used_at", nullable=True),
        sa.CheckConstraint(TOKEN_ROLE_CHECK, name=op.f("ck_integration_tokens_role_organisation")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_integration_tokens_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_integration_tokens_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_integration_tokens_token_hash")),
    )
    _index("integration_tokens", "created_by")
    _index("integration_tokens", "organisation_id")
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("last_seen_at"),
        _at("expires_at"),
        _at("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    _index("user_sessions", "user_id")
    op.create_table(
        "login_throttles",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _at("last_failure_at"),
        _at("locked_until", nullable=True),
        sa.CheckConstraint("scope IN ('account', 'address')", name=op.f("ck_login_throttles_scope")),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_login_throttles")),
    )


def downgrade() -> None:
    op.drop_table("login_throttles")
    op.drop_table("user_sessions")
    op.drop_table("integration_tokens")
    op.drop_table("users")
    op.drop_table("organisations")
