"""RET-01 and R39: the database itself refuses to change or remove ledger entries, and keeps the
chain head moving forward one entry at a time, on SQLite and PostgreSQL (raw SQL, outside the
gateway's code)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from gateway.ledger.chain import GENESIS_HASH
from gateway.settings import Settings
from tests.integration.ledger.support import fill, verify_db
from tests.integration.ledger.tamper import run_sql

pytestmark = [pytest.mark.db, pytest.mark.anyio]

REFUSED = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET actor_id = 'user-other' WHERE seq = 2",
        "UPDATE ledger_entries SET details = '{}'",
        "DELETE FROM ledger_entries WHERE seq = 3",
        "DELETE FROM ledger_entries",
    ],
)
async def test_RET_01_entries_cannot_be_updated_or_deleted_through_sql(
    fresh_settings: Settings, statement: str
) -> None:
    await fill(fresh_settings, 3)
    with pytest.raises(REFUSED, match="append-only"):
        run_sql(fresh_settings, statement)
    result = await verify_db(fresh_settings)
    assert (result.ok, result.entries) == (True, 3)


@pytest.mark.only_backend("postgresql")
async def test_RET_01_entries_cannot_be_truncated(fresh_settings: Settings) -> None:
    await fill(fresh_settings, 2)
    with pytest.raises(REFUSED, match="append-only"):
        run_sql(fresh_settings, "TRUNCATE ledger_entries")
    assert (await verify_db(fresh_settings)).entries == 2


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE ledger_head SET seq = 1 WHERE id = 1", "only advances"),
        ("UPDATE ledger_head SET seq = 4 WHERE id = 1", "only advances"),
        ("DELETE FROM ledger_head", "cannot be deleted"),
    ],
)
async def test_the_head_cannot_move_back_skip_ahead_or_vanish(
    fresh_settings: Settings, statement: str, message: str
) -> None:
    await fill(fresh_settings, 3)
    with pytest.raises(REFUSED, match=message):
        run_sql(fresh_settings, statement)
    assert (await verify_db(fresh_settings)).ok


async def test_an_entry_that_does_not_extend_the_head_is_refused(
    fresh_settings: Settings,
) -> None:
    """A fork (seq 1 again, or a gap) is refused by the database, whatever the code does."""
    await fill(fresh_settings, 2)
    insert = (
        "INSERT INTO ledger_entries (seq, entry_id, idempotency_key, occurred_at, actor_id,"
        " event_type, address_unknown, details, prev_hash, entry_hash) VALUES"
        " (%s, %s, 'fork', '2026-11-02 10:00:00', 'user-x', 'release.received', false, '{}',"
        " %s, %s)"
    )
    for seq in (2, 3, 4):
        params = (seq, f"00000000-0000-4000-8000-00000000000{seq}", GENESIS_HASH, "f" * 64)
        with pytest.raises(REFUSED, match="does not extend"):
            run_sql(fresh_settings, (insert, params))
