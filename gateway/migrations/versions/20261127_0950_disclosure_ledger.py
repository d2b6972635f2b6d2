"""disclosure ledger: append-only hash-chained entries and the single-row chain head

Triggers (hand-written per dialect) refuse UPDATE and DELETE of entries (RET-01; TRUNCATE too on
PostgreSQL), refuse an entry that does not extend the head by one seq with the head's hash as its
prev_hash, and let the head only advance by one to an entry that exists with that hash.

Revision ID: 4ff81ad7eef6
Revises: 095f27335817
Create Date: 2026-11-27 09:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4ff81ad7eef6"
down_revision: str | None = "095f27335817"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64

DISCLOSURE_COMPLETE = (
    "(disclosed_on IS NULL AND accounting_exempt IS NULL AND recipient_name IS NULL)"
    " OR (disclosed_on IS NOT NULL AND accounting_exempt IS NOT NULL"
    " AND patient_id IS NOT NULL AND recipient_name IS NOT NULL AND description IS NOT NULL"
    " AND (purpose IS NOT NULL OR request_ref IS NOT NULL))"
)
ADDRESS_OR_UNKNOWN = (
    "disclosed_on IS NULL"
    " OR (recipient_address IS NOT NULL AND NOT address_unknown)"
    " OR (recipient_address IS NULL AND address_unknown)"
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (RET-01)'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (RET-01)'); END""",
    """CREATE TRIGGER ledger_entries_extend_head BEFORE INSERT ON ledger_entries
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM ledger_head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT entry_hash FROM ledger_head WHERE id = 1)
    BEGIN SELECT RAISE(ABORT, 'ledger entry does not extend the chain head'); END""",
    """CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
    BEGIN SELECT RAISE(ABORT, 'the ledger head cannot be deleted'); END""",
    """CREATE TRIGGER ledger_head_advance BEFORE UPDATE ON ledger_head
    WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1
      OR NOT EXISTS (SELECT 1 FROM ledger_entries
                     WHERE seq = NEW.seq AND entry_hash = NEW.entry_hash)
    BEGIN SELECT RAISE(ABORT, 'the ledger head only advances to the next entry'); END""",
)
SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS ledger_entries_no_update",
    "DROP TRIGGER IF EXISTS ledger_entries_no_delete",
    "DROP TRIGGER IF EXISTS ledger_entries_extend_head",
    "DROP TRIGGER IF EXISTS ledger_head_no_delete",
    "DROP TRIGGER IF EXISTS ledger_head_advance",
)

PG_TRIGGERS = (
    """CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger entries are append-only (RET-01)'
            USING ERRCODE = 'restrict_violation';
    END $$""",
    """CREATE FUNCTION ledger_check_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        head_seq bigint;
        head_hash varchar;
    BEGIN
        SELECT seq, entry_hash INTO head_seq, head_hash FROM ledger_head WHERE id = 1;
        IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
            RAISE EXCEPTION 'ledger entry does not extend the chain head'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE FUNCTION ledger_check_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'the ledger head cannot be deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.id IS DISTINCT FROM OLD.id OR NEW.seq IS DISTINCT FROM OLD.seq + 1
           OR NOT EXISTS (SELECT 1 FROM ledger_entries
                          WHERE seq = NEW.seq AND entry_hash = NEW.entry_hash) THEN
            RAISE EXCEPTION 'the ledger head only advances to the next entry'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE TRIGGER ledger_entries_extend_head BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_check_extends_head()""",
    """CREATE TRIGGER ledger_head_advance BEFORE UPDATE OR DELETE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION ledger_check_head_advance()""",
    """CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()""",
)
PG_DROPS = (
    "DROP TRIGGER IF EXISTS ledger_head_no_truncate ON ledger_head",
    "DROP TRIGGER IF EXISTS ledger_head_advance ON ledger_head",
    "DROP TRIGGER IF EXISTS ledger_entries_extend_head ON ledger_entries",
    "DROP TRIGGER IF EXISTS ledger_entries_no_truncate ON ledger_entries",
    "DROP TRIGGER IF EXISTS ledger_entries_no_update_delete ON ledger_entries",
    "DROP FUNCTION IF EXISTS ledger_check_head_advance()",
    "DROP FUNCTION IF EXISTS ledger_check_extends_head()",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
)


def _create_tables() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("disclosed_on", sa.Date(), nullable=True),
        sa.Column("recipient_name", sa.String(length=300), nullable=True),
        sa.Column("recipient_address", sa.Text(), nullable=True),
        sa.Column("address_unknown", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("request_ref", sa.String(length=200), nullable=True),
        sa.Column("accounting_exempt", sa.Boolean(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_entries_seq_positive")),
        sa.CheckConstraint("actor_id <> ''", name=op.f("ck_ledger_entries_actor_present")),
        sa.CheckConstraint(DISCLOSURE_COMPLETE, name=op.f("ck_ledger_entries_disclosure_complete")),
        sa.CheckConstraint(ADDRESS_OR_UNKNOWN, name=op.f("ck_ledger_entries_address_or_unknown")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_ledger_entries_entry_hash")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_entries_entry_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
    )
    op.create_index(
        "ix_ledger_entries_patient_disclosed",
        "ledger_entries",
        ["patient_id", "disclosed_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ledger_entries_release_id"), "ledger_entries", ["release_id"], unique=False
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )


def upgrade() -> None:
    _create_tables()
    op.execute(
        sa.text("INSERT INTO ledger_head (id, seq, entry_hash) VALUES (1, 0, :genesis)").bindparams(
            genesis=GENESIS_HASH
        )
    )
    triggers = PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    drops = PG_DROPS if op.get_bind().dialect.name == "postgresql" else SQLITE_DROPS
    for statement in drops:
        op.execute(statement)
    op.drop_table("ledger_head")
    op.drop_index(op.f("ix_ledger_entries_release_id"), table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_patient_disclosed", table_name="ledger_entries")
    op.drop_table("ledger_entries")
