"""vendors and BAAs: vendors, BAA versions, BAA terminations; notices sent once a day

BAA versions and terminations are never changed or deleted (RET-01): hand-written triggers per
dialect refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL). An amendment is a new version row.

Revision ID: d4e29f17a971
Revises: 4ff81ad7eef6
Create Date: 2026-11-27 10:47:53
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e29f17a971"
down_revision: str | None = "4ff81ad7eef6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_CHECK = (
    "kind IN ('copy', 'transcription', 'scanning', 'storage', 'mailing', 'redaction')"
)
KEPT = ("baas", "baa_terminations")

SQLITE_TRIGGERS = tuple(
    f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
    BEGIN SELECT RAISE(ABORT, 'BAA records are kept unchanged (RET-01)'); END"""
    for table in KEPT
    for action in ("update", "delete")
)
SQLITE_DROPS = tuple(
    f"DROP TRIGGER IF EXISTS {table}_no_{action}" for table in KEPT for action in ("update", "delete")
)
PG_TRIGGERS = (
    """CREATE FUNCTION baa_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'BAA records are kept unchanged (RET-01)'
            USING ERRCODE = 'restrict_violation';
    END $$""",
    *(
        f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION baa_records_refuse_change()"""
        for table in KEPT
    ),
    *(
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION baa_records_refuse_change()"""
        for table in KEPT
    ),
)
PG_DROPS = (
    *(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}" for table in KEPT),
    *(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}" for table in KEPT),
    "DROP FUNCTION IF EXISTS baa_records_refuse_change()",
)


def _vendors() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("subcontractors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(KIND_CHECK, name=op.f("ck_vendors_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("name", name=op.f("uq_vendors_name")),
    )


def _baas() -> None:
    op.create_table(
        "baas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_key", sa.String(length=300), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_size", sa.Integer(), nullable=False),
        sa.Column("covered_entity", sa.String(length=200), nullable=False),
        sa.Column("business_associate", sa.String(length=200), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("functions", sa.JSON(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("breach_notice_days", sa.Integer(), nullable=True),
        sa.Column("subcontractors", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= effective_on", name=op.f("ck_baas_ends_after_start")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_baas_version_positive")),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_baas_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baas")),
        sa.UniqueConstraint("agreement_id", "version", name="uq_baas_agreement_version"),
    )
    op.create_index(op.f("ix_baas_agreement_id"), "baas", ["agreement_id"], unique=False)
    op.create_index(op.f("ix_baas_vendor_id"), "baas", ["vendor_id"], unique=False)
    op.create_table(
        "baa_terminations",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("baa_id", sa.Uuid(), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["baa_id"], ["baas.id"], name=op.f("fk_baa_terminations_baa_id_baas")
        ),
        sa.PrimaryKeyConstraint("agreement_id", name=op.f("pk_baa_terminations")),
    )


def _notices() -> None:
    op.create_table(
        "notices_sent",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", "user_id", name=op.f("pk_notices_sent")),
    )


def upgrade() -> None:
    _vendors()
    _baas()
    _notices()
    triggers = PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    drops = PG_DROPS if op.get_bind().dialect.name == "postgresql" else SQLITE_DROPS
    for statement in drops:
        op.execute(statement)
    op.drop_table("notices_sent")
    op.drop_table("baa_terminations")
    op.drop_index(op.f("ix_baas_vendor_id"), table_name="baas")
    op.drop_index(op.f("ix_baas_agreement_id"), table_name="baas")
    op.drop_table("baas")
    op.drop_table("vendors")
