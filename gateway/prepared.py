"""Core statements compiled once per dialect and run as plain DB-API calls, for the download
path's statements in the downloads' group commit (bench/README.md: SQLAlchemy's per-execution
machinery cost several times the statement itself, on a thread that holds the GIL against the
event loop).

A :class:`Prepared` holds one Core statement. On first use with a dialect it compiles it and
takes, through SQLAlchemy's public type API (``dialect_impl``, ``bind_processor``,
``result_processor``), the same conversions SQLAlchemy would apply: UUIDs as hex text on SQLite,
``UtcDateTime``, JSON, booleans. :meth:`Prepared.run` then calls the driver connection behind a
SQLAlchemy :class:`~sqlalchemy.engine.Connection` directly, inside that connection's transaction:
no execution context, no compiled-cache lookup, no ``Row`` objects. It keeps what callers and
operators rely on: the engine's ``before/after_cursor_execute`` listeners see the statement, a
driver error is raised as SQLAlchemy's class for it (parameters hidden) and a lost connection is
invalidated. :func:`run_all` sends several statements in one psycopg pipeline. What it stores and
reads is what ``Connection.execute`` stores and reads: ``tests/integration/db/test_prepared.py``
holds it to that on SQLite and PostgreSQL.

Only plain statements: no expanding ``IN`` parameters, no multi-row ``VALUES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Executed:
    """A statement's fetched rows (converted) and its row count."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def one_or_none(self) -> tuple[Any, ...] | None:
        if len(self.rows) > 1:
            msg = "more than one row"
            raise LookupError(msg)
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the bind names, in the order of a positional paramstyle
    positional: bool
    defaults: Mapping[str, Any]  # values bound in the statement itself (literals)
    binds: Mapping[str, Processor]  # only the names whose type converts
    # the result columns that convert, by position; None: the statement returns no rows
    results: tuple[tuple[int, Processor], ...] | None


class Prepared:
    """One Core statement; compiled for a dialect the first time it runs on one."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, str], _Plan] = {}

    def run(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Executed:
        """Execute on ``conn``'s driver connection, in its transaction; rows fetched whole."""
        plan, bound = self._bound(conn, params)
        raw = conn.connection.dbapi_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        try:
            # the engine's listeners see the statement as they see Connection.execute's
            conn.dispatch.before_cursor_execute(conn, cursor, plan.sql, bound, None, False)
            try:
                cursor.execute(plan.sql, bound)
                fetched = [] if plan.results is None else cursor.fetchall()
            except conn.dialect.loaded_dbapi.Error as exc:
                raise _wrapped(conn, raw, cursor, plan.sql, exc) from exc
            conn.dispatch.after_cursor_execute(conn, cursor, plan.sql, bound, None, False)
            return _executed(plan, fetched, cursor.rowcount)
        finally:
            cursor.close()

    def _bound(
        self, conn: Connection, params: Mapping[str, Any] | None
    ) -> tuple[_Plan, Sequence[Any] | Mapping[str, Any]]:
        dialect = conn.dialect
        plan = self._plans.get((dialect.name, dialect.driver))
        if plan is None:
            plan = self._plans[(dialect.name, dialect.driver)] = _plan(self.statement, dialect)
        values = dict(plan.defaults)
        if params:
            values.update(params)
        for name, process in plan.binds.items():
            values[name] = process(values[name])
        if plan.positional:
            return plan, tuple(values[name] for name in plan.names)
        return plan, values


def run_all(
    conn: Connection, steps: Sequence[tuple[Prepared, Mapping[str, Any] | None]]
) -> list[Executed]:
    """Run ``steps`` in order in ``conn``'s transaction, as :meth:`Prepared.run` would one by
    one; on psycopg in one pipeline (one round trip to the server instead of one per statement).
    For statements that need no result before the next is sent. An error in any fails the call
    (and, on PostgreSQL, the transaction)."""
    raw = conn.connection.dbapi_connection
    pipeline = getattr(raw, "pipeline", None) if conn.dialect.driver == "psycopg" else None
    if pipeline is None:
        return [prepared.run(conn, params) for prepared, params in steps]
    sent: list[tuple[_Plan, Any, Sequence[Any] | Mapping[str, Any]]] = []
    try:
        try:
            with pipeline():
                for prepared, params in steps:
                    plan, bound = prepared._bound(conn, params)
                    cursor = raw.cursor()  # type: ignore[union-attr]
                    conn.dispatch.before_cursor_execute(conn, cursor, plan.sql, bound, None, False)
                    cursor.execute(plan.sql, bound)
                    sent.append((plan, cursor, bound))
            results = []
            for plan, cursor, bound in sent:
                fetched = [] if plan.results is None else cursor.fetchall()
                conn.dispatch.after_cursor_execute(conn, cursor, plan.sql, bound, None, False)
                results.append(_executed(plan, fetched, cursor.rowcount))
        except conn.dialect.loaded_dbapi.Error as exc:
            sql = sent[-1][0].sql if sent else ""
            raise _wrapped(conn, raw, None, sql, exc) from exc
        return results
    finally:
        for step in sent:
            step[1].close()


def _executed(plan: _Plan, fetched: Sequence[Any], rowcount: int) -> Executed:
    if plan.results is None:
        return Executed([], rowcount)
    return Executed([_converted(row, plan.results) for row in fetched], rowcount)


def _wrapped(conn: Connection, raw: Any, cursor: Any, sql: str, exc: Exception) -> Exception:
    """The driver's error as ``Connection.execute`` raises it: SQLAlchemy's wrapper of the same
    class (``OperationalError`` for a lost or locked database, which the app answers with 503),
    never with the parameters in its text; a lost connection is invalidated, so its pool hands
    out a fresh one."""
    dialect = conn.dialect
    disconnect = dialect.is_disconnect(exc, raw, cursor)  # type: ignore[arg-type]
    if disconnect and not conn.invalidated:
        conn.invalidate(exc)
    return DBAPIError.instance(
        sql,
        None,
        exc,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=disconnect,
        dialect=dialect,
    )


def _converted(
    row: Sequence[Any], converters: tuple[tuple[int, Processor], ...]
) -> tuple[Any, ...]:
    if not converters:
        return tuple(row)
    values = list(row)
    for i, process in converters:
        if values[i] is not None:
            values[i] = process(values[i])
    return tuple(values)


def _plan(statement: ClauseElement, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):  # pragma: no cover - DDL is not for this
        msg = "only SQL statements can be prepared"
        raise TypeError(msg)
    if compiled.literal_execute_params or compiled.post_compile_params:
        msg = "expanding or literal-execute parameters cannot be prepared"
        raise ValueError(msg)
    binds: dict[str, Processor] = {}
    defaults: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds[name] = process
        if not bind.required:
            defaults[name] = bind.effective_value
    # a SELECT's columns, or an INSERT/UPDATE's RETURNING columns (none without RETURNING)
    columns = list(getattr(statement, "exported_columns", ()))
    processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    results = (
        tuple((i, process) for i, process in enumerate(processors) if process is not None)
        if columns
        else None
    )
    return _Plan(
        sql=compiled.string,
        names=tuple(compiled.positiontup or ()),
        positional=bool(compiled.positional),
        defaults=defaults,
        binds=binds,
        results=results,
    )
