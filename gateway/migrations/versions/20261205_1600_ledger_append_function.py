"""ledger: a PostgreSQL function that appends a batch of entries in one statement

``ledger_append_entries(expected_seq, expected_hash, rows json)`` locks ``ledger_head``; if the
head is the one the caller built the rows on, it inserts the rows of ``ledger_entries`` in order
and moves the head to each in turn, row by row, under the triggers of the disclosure-ledger
migration (each insert must extend the head; the head only advances to the entry just stored).
It returns how many rows it appended and the head after. If the head was another, it appends
nothing and returns that head (locked now): the caller builds its rows again on it and calls
once more. The rows and their hashes are computed by the caller (``gateway/ledger/batch.py``);
the function saves two statements and a round trip per row, and the head's read.
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

CREATE = """CREATE FUNCTION ledger_append_entries(
    expected_seq bigint, expected_hash varchar, rows json
) RETURNS TABLE (appended bigint, head_seq bigint, head_hash varchar)
LANGUAGE plpgsql AS $$
DECLARE
    entry ledger_entries;
    locked_seq bigint;
    locked_hash varchar;
BEGIN
    SELECT h.seq, h.entry_hash INTO locked_seq, locked_hash
        FROM ledger_head AS h WHERE h.id = 1 FOR UPDATE;
    appended := 0;
    head_seq := locked_seq;
    head_hash := locked_hash;
    IF locked_seq IS DISTINCT FROM expected_seq OR locked_hash IS DISTINCT FROM expected_hash THEN
        RETURN NEXT;  -- the rows were built on another head: nothing appended, the head returned
        RETURN;
    END IF;
    FOR entry IN SELECT * FROM json_populate_recordset(NULL::ledger_entries, rows) LOOP
        INSERT INTO ledger_entries SELECT entry.*;
        UPDATE ledger_head AS h SET seq = entry.seq, entry_hash = entry.entry_hash
            WHERE h.id = 1 AND h.seq = entry.seq - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger head moved during append'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        appended := appended + 1;
        head_seq := entry.seq;
        head_hash := entry.entry_hash;
    END LOOP;
    RETURN NEXT;
END $$"""
DROP = "DROP FUNCTION IF EXISTS ledger_append_entries(bigint, varchar, json)"



def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
