"""``gateway.ledger.batch.append_many`` (the downloads' group commit) on this run's database: on
PostgreSQL one call of ``ledger_append_entries`` for the batch, on SQLite the rows one by one.
Either way it stores what ``append`` (the ORM path, row by row) stores, the chain verifies, the
head ends on the last entry, and a refused batch leaves nothing behind."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import IntegrityError

from gateway.db import build_sync_engine
from gateway.ledger import IdempotencyConflict, LedgerEntry, LedgerHead
from gateway.ledger.batch import append_many, rows_json
from gateway.ledger.models import content_of
from gateway.ledger.service import entry_values
from gateway.settings import Settings
from tests.builders.ledger import disclosed, disclosure, new_entry
from tests.fixtures.db import backend
from tests.integration.ledger.support import fill, verify_db

pytestmark = pytest.mark.db

EASTERN = timezone(timedelta(hours=-5))
AT = datetime(2026, 12, 5, 9, 30, 1, 654321, tzinfo=EASTERN)


@pytest.fixture
def engine(fresh_settings: Settings) -> Iterator[Engine]:
    engine = build_sync_engine(fresh_settings)
    yield engine
    engine.dispose()


def _entries() -> list[Any]:
    """Every kind of value a column holds: NULLs, a disclosure with and without an address,
    non-ASCII text, nested details, an exempt disclosure."""
    patient = uuid4()
    return [
        new_entry(),
        new_entry(release_id=None, details={"nested": {"list": [1, None, True]}, "s": "\u00e9'\""}),
        disclosed(patient),
        disclosed(patient, recipient_name="Cl\u00ednica S\u00edntesis", accounting_exempt=True),
        new_entry(
            event_type="download.completed",
            patient_id=patient,
            disclosure=disclosure(
                recipient_address=None, address_unknown=True, purpose=None, request_ref="REQ-1"
            ),
        ),
    ]


def _stored(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(LedgerEntry.__table__).order_by(text("seq"))).all()
    links = ("seq", "prev_hash", "entry_hash")
    return [content_of(row) | {name: getattr(row, name) for name in links} for row in rows]


def _head(engine: Engine) -> tuple[int, str]:
    with engine.connect() as conn:
        row = conn.execute(select(LedgerHead.seq, LedgerHead.entry_hash)).one()
    return int(row.seq), str(row.entry_hash)


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(*args: Any) -> None:
        seen.append(args[2])

    return seen


def test_a_batch_stores_what_it_hashed_and_the_chain_verifies(
    engine: Engine, fresh_settings: Settings
) -> None:
    before = 3
    asyncio.run(fill(fresh_settings, before))
    entries = _entries()
    with engine.begin() as conn:
        appended = append_many(conn, entries, occurred_at=AT, fresh_keys=True)
    assert appended.new == len(entries)
    stored = _stored(engine)
    assert len(stored) == before + len(entries)
    new_rows = stored[before:]
    # what each row would hold had it been appended alone at its seq (entry_id aside)
    prev = stored[before - 1]["entry_hash"]
    for row, entry in zip(new_rows, entries, strict=True):
        expected = entry_values(entry, seq=row["seq"], prev_hash=prev, occurred_at=AT)
        expected["entry_id"] = row["entry_id"]
        expected_content = content_of(SimpleNamespace(**expected))
        assert {k: row[k] for k in expected_content} == expected_content
        assert row["prev_hash"] == prev
        prev = row["entry_hash"]
    assert new_rows[0]["occurred_at"] == AT.astimezone(UTC).isoformat(timespec="microseconds")
    assert _head(engine) == (stored[-1]["seq"], stored[-1]["entry_hash"])
    assert (appended.head.seq, appended.head.entry_hash) == _head(engine)
    result = asyncio.run(verify_db(fresh_settings))
    assert (result.ok, result.entries) == (True, before + len(entries))


def test_the_batch_is_one_statement_on_postgresql_and_row_by_row_on_sqlite(
    engine: Engine,
) -> None:
    seen = _statements(engine)
    with engine.begin() as conn:
        seen.clear()
        first = append_many(conn, [new_entry() for _ in range(6)], occurred_at=AT, fresh_keys=True)
    # the head's lock, then the rows
    if backend() == "postgresql":
        assert len(seen) == 2
        assert "ledger_append_entries" in seen[1]
    else:
        assert len(seen) == 1 + 2 * 6
    # the head the last append left, given back: on PostgreSQL the function's call alone
    with engine.begin() as conn:
        seen.clear()
        entries = [new_entry() for _ in range(3)]
        append_many(conn, entries, occurred_at=AT, fresh_keys=True, expected=first.head)
    assert len(seen) == (1 if backend() == "postgresql" else 1 + 2 * 3)
    assert _head(engine)[0] == first.head.seq + 3


def test_a_stale_expected_head_costs_one_more_call_and_appends_on_the_real_one(
    engine: Engine, fresh_settings: Settings
) -> None:
    """Another process appended since the head the caller remembers: the rows are built again
    on the head the database holds (locked by the first call) and the chain verifies."""
    with engine.begin() as conn:
        remembered = append_many(conn, [new_entry()], occurred_at=AT, fresh_keys=True).head
    asyncio.run(fill(fresh_settings, 2))  # another writer, through the ORM path
    seen = _statements(engine)
    with engine.begin() as conn:
        seen.clear()
        appended = append_many(
            conn, [new_entry(), new_entry()], occurred_at=AT, fresh_keys=True, expected=remembered
        )
    assert appended.new == 2
    assert (appended.head.seq, appended.head.entry_hash) == _head(engine)
    assert appended.head.seq == remembered.seq + 4
    calls = [sql for sql in seen if "ledger_append_entries" in sql]
    assert len(calls) == (2 if backend() == "postgresql" else 0)
    result = asyncio.run(verify_db(fresh_settings))
    assert (result.ok, result.entries) == (True, 5)


def test_stored_keys_append_nothing_and_a_changed_one_is_refused(engine: Engine) -> None:
    entries = _entries()
    with engine.begin() as conn:
        append_many(conn, entries, occurred_at=AT)
    head = _head(engine)
    with engine.begin() as conn:
        assert append_many(conn, entries, occurred_at=AT + timedelta(minutes=1)).new == 0
    assert _head(engine) == head
    changed = new_entry(idempotency_key=entries[0].idempotency_key, details={"documents": 4})
    with pytest.raises(IdempotencyConflict), engine.begin() as conn:
        append_many(conn, [new_entry(), changed], occurred_at=AT)
    assert _head(engine) == head
    assert len(_stored(engine)) == len(entries)


def test_a_refused_row_leaves_nothing_of_its_batch(engine: Engine) -> None:
    stored = new_entry()
    with engine.begin() as conn:
        append_many(conn, [stored], occurred_at=AT)
    head = _head(engine)
    # fresh_keys skips the lookup: the database's unique key refuses the third row
    with pytest.raises(IntegrityError), engine.begin() as conn:
        append_many(conn, [new_entry(), new_entry(), stored], occurred_at=AT, fresh_keys=True)
    assert _head(engine) == head
    assert len(_stored(engine)) == 1


def _call(engine: Engine, expected: tuple[int, str], rows: list[dict[str, Any]]) -> Any:
    with engine.begin() as conn:
        return conn.execute(
            text("SELECT * FROM ledger_append_entries(:seq, :hash, CAST(:rows AS json))"),
            {"seq": expected[0], "hash": expected[1], "rows": rows_json(rows)},
        ).one()


@pytest.mark.only_backend("postgresql")
def test_the_function_appends_nothing_on_another_head_and_says_which(engine: Engine) -> None:
    with engine.begin() as conn:
        append_many(conn, [new_entry()], occurred_at=AT)
    seq, entry_hash = _head(engine)
    rows = [entry_values(new_entry(), seq=seq + 1, prev_hash=entry_hash, occurred_at=AT)]
    assert tuple(_call(engine, (seq - 1, "0" * 64), rows)) == (0, seq, entry_hash)
    assert len(_stored(engine)) == 1
    assert tuple(_call(engine, (seq, entry_hash), rows)) == (1, seq + 1, rows[0]["entry_hash"])


@pytest.mark.only_backend("postgresql")
def test_the_function_refuses_rows_that_do_not_extend_the_head(engine: Engine) -> None:
    """Given the right head but rows that do not follow it (built on another, or with a gap),
    the function is refused by the ledger's triggers and nothing is written."""
    with engine.begin() as conn:
        append_many(conn, [new_entry()], occurred_at=AT)
    seq, entry_hash = _head(engine)
    stale = entry_values(new_entry(), seq=seq, prev_hash="0" * 64, occurred_at=AT)
    first = entry_values(new_entry(), seq=seq + 1, prev_hash=entry_hash, occurred_at=AT)
    gap = entry_values(new_entry(), seq=seq + 3, prev_hash=first["entry_hash"], occurred_at=AT)
    for rows in ([stale], [first, gap]):
        with pytest.raises(IntegrityError, match="does not extend the chain head"):
            _call(engine, (seq, entry_hash), rows)
        assert _head(engine) == (seq, entry_hash)
        assert len(_stored(engine)) == 1


def test_rows_json_refuses_a_naive_time_and_unknown_types() -> None:
    row = {"occurred_at": datetime(2026, 12, 5, 9, 30)}  # noqa: DTZ001 - the naive case
    with pytest.raises(ValueError, match="naive"):
        rows_json([row])
    with pytest.raises(TypeError, match="bytes"):
        rows_json([{"details": b"x"}])
