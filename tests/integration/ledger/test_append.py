"""Appending in the caller's transaction, idempotently (R38, R44, R22, AOD-01, AOD-02)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger import (
    IdempotencyConflict,
    InvalidEntry,
    LedgerEntry,
    LedgerHead,
    append,
    verify,
)
from gateway.ledger.chain import GENESIS_HASH
from gateway.ledger.service import new_row
from gateway.settings import Settings
from tests.builders.ledger import clock, disclosed, disclosure, new_entry
from tests.integration.ledger.support import sessions

pytestmark = [pytest.mark.db, pytest.mark.anyio]


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(LedgerEntry))).scalar_one()


class TestAppend:
    async def test_the_first_entry_links_to_genesis_and_moves_the_head(
        self, db_session: AsyncSession
    ) -> None:
        row = await append(db_session, new_entry(), clock=clock())
        assert (row.seq, row.prev_hash) == (1, GENESIS_HASH)
        head = (await db_session.execute(select(LedgerHead))).scalar_one()
        assert (head.seq, head.entry_hash) == (1, row.entry_hash)

    async def test_entries_chain_in_order_and_verify(self, db_session: AsyncSession) -> None:
        rows = [await append(db_session, new_entry(), clock=clock()) for _ in range(5)]
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        assert [r.prev_hash for r in rows[1:]] == [r.entry_hash for r in rows[:-1]]
        result = await verify(db_session)
        assert (result.ok, result.entries) == (True, 5)

    async def test_occurred_at_is_stored_and_read_back_in_utc(
        self, db_session: AsyncSession
    ) -> None:
        eastern = timezone(timedelta(hours=-5))
        at = datetime(2026, 11, 2, 9, 30, 0, 654321, tzinfo=eastern)
        row = await append(db_session, new_entry(), clock=clock(at))
        db_session.expunge_all()
        stored = (await db_session.execute(select(LedgerEntry))).scalar_one()
        assert stored.occurred_at == at
        assert stored.occurred_at.utcoffset() == timedelta(0)
        assert stored.entry_hash == row.entry_hash
        assert (await verify(db_session)).ok

    async def test_R38_an_entry_commits_and_rolls_back_with_the_callers_transaction(
        self, fresh_settings: Settings
    ) -> None:
        async with sessions(fresh_settings) as maker:
            async with maker() as session:
                await append(session, new_entry(), clock=clock())
                await session.rollback()
            async with maker() as session:
                assert await count(session) == 0
                row = await append(session, new_entry(), clock=clock())
                await session.commit()
            async with maker() as session:
                assert await count(session) == 1
                assert row.seq == 1


class TestIdempotency:
    async def test_R44_the_same_key_and_content_writes_once(self, db_session: AsyncSession) -> None:
        entry = disclosed(uuid4())
        first = await append(db_session, entry, clock=clock())
        later = clock(datetime(2026, 11, 3, tzinfo=UTC))
        again = await append(db_session, entry, clock=later)
        assert again.entry_id == first.entry_id
        assert await count(db_session) == 1

    async def test_R44_a_step_rerun_after_a_crash_finds_its_committed_entry(
        self, fresh_settings: Settings
    ) -> None:
        entry = new_entry(event_type="release.approved")
        async with sessions(fresh_settings) as maker:
            async with maker() as session:
                first = await append(session, entry, clock=clock())
                await session.commit()
            async with maker() as session:
                again = await append(session, entry, clock=clock())
                await session.commit()
                assert (again.seq, await count(session)) == (first.seq, 1)

    async def test_the_same_key_with_other_content_is_a_conflict(
        self, db_session: AsyncSession
    ) -> None:
        entry = new_entry()
        await append(db_session, entry, clock=clock())
        other = new_entry(idempotency_key=entry.idempotency_key, actor_id="user-other")
        with pytest.raises(IdempotencyConflict) as caught:
            await append(db_session, other, clock=clock())
        assert caught.value.data == {"seq": 1}
        assert await count(db_session) == 1


class TestRequiredFields:
    async def test_R22_an_empty_actor_is_refused(self, db_session: AsyncSession) -> None:
        with pytest.raises(InvalidEntry) as caught:
            await append(db_session, new_entry(actor_id="  "), clock=clock())
        assert caught.value.data == {"field": "actor_id"}

    async def test_R22_the_database_refuses_an_entry_without_an_actor(
        self, db_session: AsyncSession
    ) -> None:
        row = new_row(new_entry(), seq=1, prev_hash=GENESIS_HASH, occurred_at=clock().now())
        row.actor_id = None  # type: ignore[assignment]  # bypass validation on purpose
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                db_session.add(row)

    async def test_AOD_01_a_disclosure_without_address_needs_address_unknown(
        self, db_session: AsyncSession
    ) -> None:
        no_address = disclosure(recipient_address=None)
        with pytest.raises(InvalidEntry) as caught:
            await append(db_session, new_entry(disclosure=no_address), clock=clock())
        assert caught.value.data == {"field": "recipient_address"}
        unknown = disclosure(recipient_address=None, address_unknown=True)
        row = await append(db_session, new_entry(disclosure=unknown), clock=clock())
        assert (row.recipient_address, row.address_unknown) == (None, True)

    async def test_AOD_01_the_database_refuses_a_disclosure_without_address_or_flag(
        self, db_session: AsyncSession
    ) -> None:
        entry = new_entry(disclosure=disclosure(recipient_address=None))
        row = new_row(entry, seq=1, prev_hash=GENESIS_HASH, occurred_at=clock().now())
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                db_session.add(row)

    async def test_AOD_01_a_disclosure_needs_a_purpose_or_a_request_reference(
        self, db_session: AsyncSession
    ) -> None:
        entry = new_entry(disclosure=disclosure(purpose=None))
        with pytest.raises(InvalidEntry):
            await append(db_session, entry, clock=clock())
        by_reference = disclosure(purpose=None, request_ref="request:7c1e")
        row = await append(db_session, new_entry(disclosure=by_reference), clock=clock())
        assert row.request_ref == "request:7c1e"

    async def test_AOD_02_an_exempt_disclosure_is_still_recorded(
        self, db_session: AsyncSession
    ) -> None:
        entry = new_entry(disclosure=disclosure(accounting_exempt=True))
        row = await append(db_session, entry, clock=clock())
        assert row.accounting_exempt is True
        assert await count(db_session) == 1
