"""Blob before row: when the row cannot be written, the blob just written is deleted again.

The database itself refuses the insert (a trigger added by the test, on SQLite or PostgreSQL),
so the failure comes from the real driver, after the blob was stored."""

from __future__ import annotations

import pytest
from litestar import Litestar
from sqlalchemy import text

from tests.fixtures.auth import session_maker
from tests.fixtures.db import backend
from tests.integration.patients.support import Api, fixture_pdf, stored

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]

SQLITE_TRIGGER = (
    "CREATE TRIGGER refuse_records BEFORE INSERT ON source_records "
    "BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
)
PG_TRIGGER = (
    "CREATE FUNCTION refuse_records() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$",
    "CREATE TRIGGER refuse_records BEFORE INSERT ON source_records "
    "FOR EACH ROW EXECUTE FUNCTION refuse_records()",
)


async def refuse_inserts(app: Litestar) -> None:
    statements = PG_TRIGGER if backend() == "postgresql" else SQLITE_TRIGGER
    async with session_maker(app)() as session, session.begin():
        for statement in statements:
            await session.execute(text(statement))


async def test_a_refused_row_insert_deletes_the_blob_and_keeps_nothing(
    staff: Api, records_app: Litestar
) -> None:
    patient_id = await staff.patient()
    await refuse_inserts(records_app)
    before = await stored(records_app)
    response = await staff.upload(patient_id, fixture_pdf())
    assert response.status_code == 500, response.text
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert await stored(records_app) == before
