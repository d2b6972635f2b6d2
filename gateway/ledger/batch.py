"""Appending a batch of entries on a synchronous Core connection.

The downloads' group commit (``gateway/releases/delivery/writer.py``) runs each batch as one
synchronous transaction on a thread of its own, so a batch costs one hop off the event loop
instead of one per statement. The rules are those of :func:`gateway.ledger.service.append`: the
head is read under its lock (PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` holds the
write lock already), a key already stored returns nothing new (:class:`IdempotencyConflict` if
its content differs), and each new row is inserted and the head moved by compare-and-swap, row
by row, because the database's triggers check that every row extends the head. On PostgreSQL
one statement does that for the whole batch: ``ledger_append_entries`` (migration
``*_ledger_append_function.py``) takes the rows as JSON and inserts and moves the head row by
row on the server, under the same triggers; it also takes the head's lock and checks the head
the rows were built on, so a caller that knows the head (the writer keeps the one its last batch
left) needs no read of its own: one round trip for the batch's entries. Two statements per
entry, and each round trip, cost the writer thread more than anything else on the download
path (bench/README.md); the server's side is cheap.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection

from gateway.ledger.entry import NewEntry, validate
from gateway.ledger.errors import HeadMoved
from gateway.ledger.models import HEAD_ID, LedgerEntry, LedgerHead
from gateway.ledger.repository import Head
from gateway.ledger.service import ensure_same, entry_values
from gateway.prepared import Prepared, run_all

ENTRIES = cast("Table", LedgerEntry.__table__)
HEAD = cast("Table", LedgerHead.__table__)
# Built once; all but the lookup by keys (an expanding IN) run as plain DB-API calls
# (gateway/prepared.py).
LOCK_HEAD = Prepared(
    select(HEAD.c.seq, HEAD.c.entry_hash).where(HEAD.c.id == HEAD_ID).with_for_update()
)
BY_KEYS = select(ENTRIES).where(ENTRIES.c.idempotency_key.in_(bindparam("keys", expanding=True)))
INSERT_ENTRY = Prepared(
    insert(ENTRIES).values({c.name: bindparam(c.name, type_=c.type) for c in ENTRIES.columns})
)
ADVANCE_HEAD = Prepared(
    update(HEAD)
    .where(HEAD.c.id == HEAD_ID, HEAD.c.seq == bindparam("expected_seq"))
    .values(seq=bindparam("new_seq"), entry_hash=bindparam("new_hash"))
)
# SELECT * FROM ledger_append_entries(...): one row (appended, head_seq, head_hash)
APPEND_ROWS = Prepared(
    select(literal_column("*")).select_from(
        func.ledger_append_entries(
            bindparam("expected_seq", type_=BigInteger()),
            bindparam("expected_hash", type_=String()),
            sql_cast(bindparam("rows", type_=Text()), JSON),
        )
    )
)


def append_many(
    conn: Connection,
    entries: Sequence[NewEntry],
    *,
    occurred_at: datetime,
    fresh_keys: bool = False,
    expected: Head | None = None,
) -> Appended:
    """Append ``entries`` in order in the connection's transaction: how many were new, and the
    head after. Call it as the last step before the commit: the head stays locked until then.
    ``fresh_keys``: the caller made every key from a new UUID, so none can be stored yet and
    the lookup is skipped (the unique constraint on keys still refuses a duplicate). With it,
    on PostgreSQL, ``expected`` is the head the caller expects (the one its last append left):
    the rows are built on it and the database function checks it under the head's lock, so
    reading the head is not a round trip of its own; a wrong guess costs one more call."""
    if not entries:
        return Appended(0, expected)
    for entry in entries:
        validate(entry)
    postgresql = conn.dialect.name == "postgresql"
    if postgresql and fresh_keys and expected is not None:
        head = expected
    else:
        locked = LOCK_HEAD.run(conn).one_or_none()
        if locked is None:
            msg = "the ledger head row is missing"
            raise LookupError(msg)
        head = Head(int(locked[0]), str(locked[1]))
    stored: dict[str, Any] = {}
    if not fresh_keys:
        keys = [entry.idempotency_key for entry in entries]
        stored = {row.idempotency_key: row for row in conn.execute(BY_KEYS, {"keys": keys})}
    if not postgresql:
        return _row_by_row(conn, _rows(entries, stored, head, occurred_at), head)
    for _attempt in range(2):  # the second is built on the head the first found, locked
        rows = _rows(entries, stored, head, occurred_at)
        if not rows:
            return Appended(0, head)
        found = APPEND_ROWS.run(conn, {**_expecting(head), "rows": rows_json(rows)}).one_or_none()
        assert found is not None  # noqa: S101 - the function returns one row
        appended, head = int(found[0]), Head(int(found[1]), str(found[2]))
        if appended:
            return Appended(appended, head)
    raise HeadMoved("ledger head moved during append", seq=head.seq)


@dataclass(frozen=True, slots=True)
class Appended:
    """How many entries a call appended, and the ledger head after it (the one it was given
    when it had nothing to append)."""

    new: int
    head: Head | None


def _expecting(head: Head) -> dict[str, Any]:
    return {"expected_seq": head.seq, "expected_hash": head.entry_hash}


def _rows(
    entries: Sequence[NewEntry], stored: dict[str, Any], head: Head, occurred_at: datetime
) -> list[dict[str, Any]]:
    """The new entries' rows, built on ``head`` in order (an entry whose key is stored with the
    same content is skipped; with other content, :class:`IdempotencyConflict`)."""
    seq, prev_hash = head.seq, head.entry_hash
    seen = dict(stored)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        existing = seen.get(entry.idempotency_key)
        if existing is not None:
            ensure_same(existing, entry)
            continue
        values = entry_values(entry, seq=seq + 1, prev_hash=prev_hash, occurred_at=occurred_at)
        rows.append(values)
        seq, prev_hash = values["seq"], values["entry_hash"]
        seen[entry.idempotency_key] = SimpleNamespace(**values)
    return rows


def _row_by_row(conn: Connection, rows: list[dict[str, Any]], head: Head) -> Appended:
    steps: list[tuple[Prepared, dict[str, Any]]] = []
    for values in rows:
        advance = {
            "expected_seq": values["seq"] - 1,
            "new_seq": values["seq"],
            "new_hash": values["entry_hash"],
        }
        steps += [(INSERT_ENTRY, values), (ADVANCE_HEAD, advance)]
    done = run_all(conn, steps)
    for (_statement, values), moved in list(zip(steps, done, strict=True))[1::2]:
        if moved.rowcount != 1:
            raise HeadMoved("ledger head moved during append", seq=values["new_seq"])
    if rows:
        head = Head(rows[-1]["seq"], rows[-1]["entry_hash"])
    return Appended(len(rows), head)


def rows_json(rows: Sequence[dict[str, Any]]) -> str:
    """Rows of ``ledger_entries`` as the JSON that ``json_populate_recordset`` reads back into
    the same column values: UUIDs and dates as their text, times as ISO 8601 in UTC (as
    ``UtcDateTime`` stores them), ``details`` as a nested object."""
    return json.dumps(rows, default=_json_scalar, ensure_ascii=False, separators=(",", ":"))


def _json_scalar(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = "naive datetime"
            raise ValueError(msg)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | uuid.UUID):
        return str(value)
    msg = f"no JSON form for {type(value).__name__}"
    raise TypeError(msg)
