"""ledger: a PostgreSQL function that appends a batch of entries in one statement

``ledger_append_entries(rows json)`` inserts the given rows of ``ledger_entries`` in order and
moves ``ledger_head`` to each in turn, row by row, under the triggers of the disclosure-ledger
migration (each insert must extend the head; the head only advances to the entry just stored).
The rows and their hashes are computed by the caller, which holds the head's lock
(``gateway/ledger/batch.py``); the function only saves a statement and a round trip per row.
SQLite has no stored functions and keeps the statements row by row: nothing to do there.

Revision ID: 9b41e7c2d5a8
Revises: 6c2d8e41f7b3
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "9b41e7c2d5a8"
down_revision: str | None = "6c2d8e41f7b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = """CREATE FUNCTION ledger_append_entries(rows json) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    entry ledger_entries;
    appended bigint := 0;
BEGIN
    FOR entry IN SELECT * FROM json_populate_recordset(NULL::ledger_entries, rows) LOOP
        INSERT INTO ledger_entries SELECT entry.*;
        UPDATE ledger_head SET seq = entry.seq, entry_hash = entry.entry_hash
            WHERE id = 1 AND seq = entry.seq - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger head moved during append'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        appended := appended + 1;
    END LOOP;
    RETURN appended;
END $$"""
DROP = "DROP FUNCTION IF EXISTS ledger_append_entries(json)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
