"""``gateway.prepared.Prepared`` against ``Connection.execute`` on this run's database (SQLite, or
PostgreSQL in the PostgreSQL pass): a row written by either reads the same through either, for
every type the download path binds and reads (UUID, UtcDateTime, date, JSON, boolean, text,
integers, NULLs); RETURNING rows and row counts match; statements it cannot run are refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from gateway.db import build_sync_engine
from gateway.ledger.models import UtcDateTime
from gateway.prepared import Prepared, run_all
from gateway.settings import Settings

pytestmark = pytest.mark.db

META = MetaData()
SAMPLES = Table(
    "prepared_samples",
    META,
    Column("id", Uuid, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("at", UtcDateTime, nullable=True),
    Column("on", Date, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("name", String(100), nullable=True),
    Column("body", Text, nullable=True),
    Column("doc", JSON, nullable=True),
    Column("count", Integer, nullable=False, default=0),
)
COLUMNS = [column.name for column in SAMPLES.columns]
INSERT = insert(SAMPLES).values({c.name: bindparam(c.name, type_=c.type) for c in SAMPLES.columns})
BY_ID = select(SAMPLES).where(SAMPLES.c.id == bindparam("id"))
BUMP = (
    update(SAMPLES)
    .where(SAMPLES.c.count < bindparam("below"))
    .values(count=SAMPLES.c.count + 1)
    .returning(SAMPLES.c.id, SAMPLES.c.count, SAMPLES.c.at)
)
TOUCH = update(SAMPLES).where(SAMPLES.c.flag.is_(True)).values(body="touched")
NAMED = select(SAMPLES.c.seq).where(SAMPLES.c.name == "fixed literal").limit(1)

WHEN = datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=UTC)


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "seq": 2**40 + 7,
        "at": WHEN,
        "on": date(2026, 2, 28),
        "flag": True,
        "name": "fixed literal",
        "body": "multi\nline 'quoted' \"text\" \u00e9",
        "doc": {"nested": [1, 2.5, None, True], "text": "x", "empty": {}},
        "count": 0,
    }
    return row | changes


@pytest.fixture
def engine(fresh_settings: Settings) -> Iterator[Engine]:
    engine = build_sync_engine(fresh_settings)
    META.create_all(engine)
    yield engine
    META.drop_all(engine)
    engine.dispose()


def _core_read(engine: Engine, row_id: uuid.UUID) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(BY_ID, {"id": row_id}).one()._mapping)


def _prepared_read(engine: Engine, row_id: uuid.UUID) -> dict[str, Any]:
    with engine.connect() as conn:
        found = Prepared(BY_ID).run(conn, {"id": row_id}).one_or_none()
    assert found is not None
    return dict(zip(COLUMNS, found, strict=True))


@pytest.mark.parametrize(
    "row",
    [
        _row(),
        _row(at=None, on=None, flag=None, name=None, body=None, doc=None),
        _row(at=WHEN.astimezone(UTC) + timedelta(hours=-5), flag=False, doc=[]),
    ],
    ids=["values", "nulls", "false-and-list"],
)
def test_a_row_written_by_either_reads_the_same_through_either(
    engine: Engine, row: dict[str, Any]
) -> None:
    by_prepared = row | {"id": uuid.uuid4()}
    by_core = row | {"id": uuid.uuid4()}
    with engine.begin() as conn:
        assert Prepared(INSERT).run(conn, by_prepared).rowcount == 1
        conn.execute(INSERT, by_core)
    for written in (by_prepared, by_core):
        core, prepared = _core_read(engine, written["id"]), _prepared_read(engine, written["id"])
        assert core == prepared == written
        if written["at"] is not None:
            assert prepared["at"].tzinfo is not None  # UtcDateTime's conversion ran


def test_returning_rows_and_row_counts_match_core(engine: Engine) -> None:
    rows = [_row(count=n) for n in range(4)]
    with engine.begin() as conn:
        for row in rows:
            Prepared(INSERT).run(conn, row)
    with engine.begin() as conn:
        bumped = Prepared(BUMP).run(conn, {"below": 2})
        touched = Prepared(TOUCH).run(conn)
    assert sorted(bumped.rows) == sorted((r["id"], r["count"] + 1, WHEN) for r in rows[:2])
    assert bumped.rowcount == 2
    assert touched.rows == []
    assert touched.rowcount == 4
    with engine.begin() as conn:
        core = conn.execute(BUMP, {"below": 2}).all()
    assert [tuple(r) for r in core] == [(rows[0]["id"], 2, WHEN)]  # counts were 1, 2, 2, 3


def test_literals_bound_in_the_statement_are_sent(engine: Engine) -> None:
    with engine.begin() as conn:
        Prepared(INSERT).run(conn, _row(seq=11))
        Prepared(INSERT).run(conn, _row(seq=12, name="another"))
    with engine.connect() as conn:
        assert Prepared(NAMED).run(conn).scalar() == 11


def test_it_runs_in_the_connections_transaction(engine: Engine) -> None:
    row = _row()
    with engine.connect() as conn:
        conn.begin()
        Prepared(INSERT).run(conn, row)
        conn.rollback()
    with engine.connect() as conn:
        assert Prepared(BY_ID).run(conn, {"id": row["id"]}).one_or_none() is None


def test_what_it_cannot_run_is_refused(engine: Engine) -> None:
    expanding = select(SAMPLES.c.id).where(SAMPLES.c.seq.in_(bindparam("seqs", expanding=True)))
    with engine.connect() as conn, pytest.raises(ValueError, match="expanding"):
        Prepared(expanding).run(conn, {"seqs": [1, 2]})


def test_one_or_none_refuses_several_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        Prepared(INSERT).run(conn, _row())
        Prepared(INSERT).run(conn, _row())
    with engine.connect() as conn, pytest.raises(LookupError):
        Prepared(select(SAMPLES.c.id)).run(conn).one_or_none()


def test_the_engines_listeners_see_its_statements(engine: Engine) -> None:
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(("before", statement))

    def after(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(("after", statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with engine.begin() as conn:
            Prepared(INSERT).run(conn, _row())
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    inserts = [(when, sql) for when, sql in seen if sql.startswith("INSERT INTO prepared_samples")]
    assert [when for when, _sql in inserts] == ["before", "after"]


def test_a_driver_error_is_sqlalchemys_without_the_parameters(engine: Engine) -> None:
    row = _row(body="Canary-Patient-Name-7731")
    with engine.begin() as conn:
        Prepared(INSERT).run(conn, row)
    with engine.begin() as conn, pytest.raises(IntegrityError) as caught:
        Prepared(INSERT).run(conn, row)  # the same primary key again
    assert "Canary-Patient-Name-7731" not in str(caught.value)
    assert not caught.value.connection_invalidated
    with engine.connect() as conn:  # the pool's connection still works
        assert Prepared(BY_ID).run(conn, {"id": row["id"]}).one_or_none() is not None


def test_run_all_gives_what_one_by_one_gives(engine: Engine) -> None:
    rows = [_row(count=n) for n in range(3)]
    with engine.begin() as conn:
        done = run_all(
            conn,
            [
                *((Prepared(INSERT), row) for row in rows),
                (Prepared(BUMP), {"below": 2}),
                (Prepared(TOUCH), None),
            ],
        )
    assert [result.rowcount for result in done[:3]] == [1, 1, 1]
    assert sorted(done[3].rows) == sorted((r["id"], r["count"] + 1, WHEN) for r in rows[:2])
    assert (done[4].rows, done[4].rowcount) == ([], 3)
    for row in rows:
        expected = row | {"count": row["count"] + (1 if row["count"] < 2 else 0), "body": "touched"}
        assert _prepared_read(engine, row["id"]) == expected


def test_run_all_fails_whole_on_an_error(engine: Engine) -> None:
    first, again = _row(), _row()
    with engine.begin() as conn:
        Prepared(INSERT).run(conn, again)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        run_all(conn, [(Prepared(INSERT), first), (Prepared(INSERT), again)])
    with engine.connect() as conn:
        assert Prepared(BY_ID).run(conn, {"id": first["id"]}).one_or_none() is None
