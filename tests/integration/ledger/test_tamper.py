"""SECURITY.md attack 8 and R39: edit, delete, reorder, truncate and forge ledger rows directly in
the database (triggers dropped first, as an attacker would); the verifier names the first bad seq.

What the design detects: any edited, deleted or reordered entry, at its seq, from the chain
alone; a truncated tail and a re-hashed tail from the ``ledger_head`` row (at the first missing
seq, or at the head's seq when the tail was replaced); a forger who also rewrites the head only
with a checkpoint kept outside the database (``--checkpoint`` now, signed exports with R40).
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.ledger import BreakReason, repository
from gateway.ledger.chain import GENESIS_HASH, Anchor, compute_hash
from gateway.ledger.models import content_of
from gateway.settings import Settings
from tests.fixtures.db import backend
from tests.integration.ledger.support import fill, sessions, verify_db
from tests.integration.ledger.tamper import Statement, tamper

# Explicit anyio mark: the suite-wide one added at collection breaks parametrised async tests.
pytestmark = [pytest.mark.db, pytest.mark.anyio]

ENTRIES = 10


def assert_broken_at(result: Any, seq: int, reason: BreakReason) -> None:
    assert result.broken is not None, "the verifier missed the tampering"
    assert (result.broken.seq, result.broken.reason) == (seq, reason)


async def test_an_untouched_ledger_verifies(fresh_settings: Settings) -> None:
    await fill(fresh_settings, ENTRIES)
    result = await verify_db(fresh_settings)
    assert result.ok
    assert result.entries == ENTRIES


@pytest.mark.parametrize(
    ("seq", "column", "value"),
    [
        (4, "recipient_name", "Someone Else"),
        (3, "actor_id", "user-other"),
        (5, "details", '{"documents": 4}'),
        (7, "occurred_at", "2026-11-02 14:30:01.123456"),
        (8, "accounting_exempt", True),
        (2, "disclosed_on", "2026-11-03"),
    ],
)
async def test_R39_an_edited_field_is_named_at_its_seq(
    fresh_settings: Settings, seq: int, column: str, value: object
) -> None:
    await fill(fresh_settings, ENTRIES)
    sql = f"UPDATE ledger_entries SET {column} = %s WHERE seq = %s"  # noqa: S608 - test constants
    tamper(fresh_settings, (sql, (value, seq)))
    assert_broken_at(await verify_db(fresh_settings), seq, BreakReason.HASH_MISMATCH)


async def test_R39_a_deleted_entry_is_named_at_its_seq(fresh_settings: Settings) -> None:
    await fill(fresh_settings, ENTRIES)
    tamper(fresh_settings, "DELETE FROM ledger_entries WHERE seq = 6")
    assert_broken_at(await verify_db(fresh_settings), 6, BreakReason.ENTRY_MISSING)


async def test_R39_two_entries_that_swapped_seqs_are_named_at_the_lower_seq(
    fresh_settings: Settings,
) -> None:
    await fill(fresh_settings, ENTRIES)
    tamper(
        fresh_settings,
        "UPDATE ledger_entries SET seq = 1003 WHERE seq = 3",
        "UPDATE ledger_entries SET seq = 3 WHERE seq = 7",
        "UPDATE ledger_entries SET seq = 7 WHERE seq = 1003",
    )
    assert_broken_at(await verify_db(fresh_settings), 3, BreakReason.HASH_MISMATCH)


async def test_R39_a_truncated_tail_is_caught_by_the_head_row(fresh_settings: Settings) -> None:
    await fill(fresh_settings, ENTRIES)
    tamper(fresh_settings, "DELETE FROM ledger_entries WHERE seq >= 9")
    assert_broken_at(await verify_db(fresh_settings), 9, BreakReason.TAIL_MISSING)


async def test_R39_a_rehashed_forged_tail_is_caught_at_the_head_it_no_longer_matches(
    fresh_settings: Settings,
) -> None:
    """The forged tail is internally consistent; only the head row (seq 10) disagrees, so the
    verifier names seq 10: the design cannot say where a consistent forgery began."""
    await fill(fresh_settings, ENTRIES)
    statements, _ = await forged_tail(fresh_settings, start=6)
    tamper(fresh_settings, *statements)
    assert_broken_at(await verify_db(fresh_settings), ENTRIES, BreakReason.ANCHOR_MISMATCH)


async def test_a_forger_who_rewrites_the_head_too_is_caught_only_by_an_outside_checkpoint(
    fresh_settings: Settings,
) -> None:
    """Room for R40: the in-database head is as forgeable as the rows, a checkpoint kept
    elsewhere (seq 8 here, after the forgery began at 6) is not."""
    hashes = await fill(fresh_settings, ENTRIES)
    statements, new_head = await forged_tail(fresh_settings, start=6)
    head = ("UPDATE ledger_head SET entry_hash = %s WHERE id = 1", (new_head,))
    tamper(fresh_settings, *statements, head)
    assert (await verify_db(fresh_settings)).ok, "undetectable from inside the database alone"
    checkpoint = Anchor(8, hashes[7], "checkpoint")
    result = await verify_db(fresh_settings, [checkpoint])
    assert_broken_at(result, 8, BreakReason.ANCHOR_MISMATCH)


async def test_a_deleted_head_row_is_reported(fresh_settings: Settings) -> None:
    await fill(fresh_settings, 3)
    tamper(fresh_settings, "DELETE FROM ledger_head")
    assert_broken_at(await verify_db(fresh_settings), 4, BreakReason.HEAD_MISSING)


@pytest.mark.only_backend("sqlite")
async def test_R39_a_value_of_the_wrong_type_is_named_at_its_seq(fresh_settings: Settings) -> None:
    """SQLite stores any text in any column; the verifier does not crash on it."""
    await fill(fresh_settings, ENTRIES)
    tamper(fresh_settings, "UPDATE ledger_entries SET occurred_at = 'not a time' WHERE seq = 5")
    assert_broken_at(await verify_db(fresh_settings), 5, BreakReason.UNREADABLE)


async def forged_tail(settings: Settings, *, start: int) -> tuple[list[Statement], str]:
    """Statements that change the recipient of entry ``start`` and re-hash every entry after it,
    as an attacker who knows the hash scheme would; and the forged last hash."""
    async with sessions(settings) as maker, maker() as session:
        rows = await repository.page(session, after=0, upto=ENTRIES, limit=ENTRIES)
    prev = rows[start - 2].entry_hash if start > 1 else GENESIS_HASH
    statements: list[Statement] = []
    for row in rows[start - 1 :]:
        content = content_of(row)
        if row.seq == start:
            content["recipient_name"] = "Forged Recipient"
        forged = compute_hash(row.seq, prev, content)
        sql = (
            "UPDATE ledger_entries SET recipient_name = %s, prev_hash = %s, entry_hash = %s"
            " WHERE seq = %s"
        )
        statements.append((sql, (content["recipient_name"], prev, forged, row.seq)))
        prev = forged
    assert backend() in {"sqlite", "postgresql"}
    return statements, prev
