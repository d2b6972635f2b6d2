"""Database engines for both columns of DESIGN.md: SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``, foreign keys on, a busy timeout, and every
transaction opened with ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade
(SECURITY.md R45). PostgreSQL goes through psycopg 3 with connect and statement timeouts and a
client-side deadline on every wait.

Besides the async engine of the process, :func:`build_sync_engine` makes a synchronous one with
the same settings, for work that runs whole on a thread of its own (the downloads' group commit:
one hop off the event loop per batch instead of one per statement).
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from gateway.settings import Settings

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
# A SQLite connection reads the planner's statistics when it opens, not when another connection
# runs ANALYZE (gateway/db_statistics.py): the request engines' connections are renewed hourly.
SQLITE_RECYCLE_S = 3600
# the synchronous PostgreSQL engines ping a connection idle this long before using it
PING_AFTER_IDLE_S = 1.0
IDLE_SINCE = "roi_idle_since"


def build_engine(settings: Settings) -> AsyncEngine:
    """The one async engine of a process, configured for its backend."""
    url = settings.database_url
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms=settings.database.busy_timeout_ms)
    if url.startswith("postgresql"):
        return _postgresql_engine(url, settings)
    msg = "unsupported database URL scheme"
    raise ValueError(msg)


def _sqlite_engine(url: str, *, busy_timeout_ms: int) -> AsyncEngine:
    # No pre-ping: a file database does not drop connections, and a ping is a thread hop per
    # checkout.
    engine = create_async_engine(
        url, connect_args={"timeout": busy_timeout_ms / 1000}, pool_recycle=SQLITE_RECYCLE_S
    )
    _use_immediate_transactions(engine.sync_engine, busy_timeout_ms)
    return engine


def build_sync_engine(settings: Settings, *, read_only: bool = False) -> Engine:
    """A synchronous engine on the same database, configured as :func:`build_engine`'s (or, with
    ``read_only`` on SQLite, as :func:`build_read_engine`'s): for work that runs whole on a
    thread of its own. Its connections must stay on the threads' side: never share one with the
    event loop."""
    url = settings.database_url
    if url.startswith("sqlite+aiosqlite"):
        busy_timeout_ms = settings.database.busy_timeout_ms
        engine = create_engine(
            url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1),
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            pool_reset_on_return=None if read_only else "rollback",
        )
        if read_only:
            _read_only(engine, busy_timeout_ms)
        else:
            _use_immediate_transactions(engine, busy_timeout_ms)
        return engine
    if url.startswith("postgresql"):
        db = settings.database
        pg = create_engine(
            url,
            pool_size=db.pool_size,
            pool_timeout=db.connect_timeout_s,
            connect_args=_pg_connect_args(settings),
        )
        _ping_after_idle(pg)
        connection_class = _deadline_connection(_read_timeout_s(settings), sync=True)

        @event.listens_for(pg, "do_connect")
        def _connect(_dialect: object, _record: object, cargs: Any, cparams: Any) -> Any:
            return connection_class.connect(*cargs, **cparams)

        return pg
    msg = "unsupported database URL scheme"
    raise ValueError(msg)


def _ping_after_idle(engine: Engine) -> None:
    """``pool_pre_ping``, only for a connection idle for ``PING_AFTER_IDLE_S`` or more: the
    downloads' group commit checks a connection out for every batch, back to back under load,
    and a ping each time was one more round trip per batch. A connection the server dropped
    while it was in use fails its statement and is invalidated (``gateway.prepared``), so the
    pool opens a new one; an idle one is pinged first, as ``pool_pre_ping`` would (SQLAlchemy's
    documented pessimistic handling: ``DisconnectionError`` from ``checkout`` makes the pool
    reconnect)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error as exc:
            raise DisconnectionError from exc


def _use_immediate_transactions(engine: Engine, busy_timeout_ms: int) -> None:
    """The SQLAlchemy recipe for pysqlite/aiosqlite: take transaction control from the driver."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={int(busy_timeout_ms)}"):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_read_engine(settings: Settings) -> AsyncEngine | None:
    """An engine for reads on SQLite: ``query_only``, and no ``BEGIN`` at all (each statement
    is its own read transaction), so readers work beside a writer in WAL mode instead of
    queueing for the write lock that ``BEGIN IMMEDIATE`` takes. Use it for single statements, or
    for reads that need no consistent view across statements. None on PostgreSQL."""
    url = settings.database_url
    if not url.startswith("sqlite"):
        return None
    busy_timeout_ms = settings.database.busy_timeout_ms
    # No reset on return: with no BEGIN there is never a transaction to roll back, and the
    # rollback would be a thread hop per checkout.
    engine = create_async_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000},
        pool_reset_on_return=None,
        pool_recycle=SQLITE_RECYCLE_S,
    )
    _read_only(engine.sync_engine, busy_timeout_ms)
    return engine


def _read_only(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("PRAGMA query_only=ON", f"PRAGMA busy_timeout={int(busy_timeout_ms)}"):
            cursor.execute(pragma)
        cursor.close()


class _DeadlineConnection(psycopg.AsyncConnection[Any]):
    """A psycopg connection whose every wait on the server has a client-side deadline.

    The server's ``statement_timeout`` ends a slow query, and ``connect_timeout`` a dead
    connect, but nothing ends a wait on a connection whose packets stall without a reset (a
    cut network, a hung proxy: the kernel keeps ACKing, so keepalives and ``tcp_user_timeout``
    see nothing). Past the deadline the connection is closed (its protocol state is unknown),
    the pool discards it, and the caller gets an OperationalError (503 DATABASE_UNAVAILABLE)."""

    read_timeout_s: float = 12.0

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (psycopg's signature)
        try:
            return await super().wait(
                gen, interval=interval, timeout=self.read_timeout_s if timeout is None else timeout
            )
        except psycopg.errors.OperationalError:
            if timeout is None and not self.closed:
                await self.close()  # marks it closed too, so its __del__ finds nothing to do
            raise


class _SyncDeadlineConnection(psycopg.Connection[Any]):
    """The synchronous twin of :class:`_DeadlineConnection`."""

    read_timeout_s: float = 12.0

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return super().wait(
                gen, interval=interval, timeout=self.read_timeout_s if timeout is None else timeout
            )
        except psycopg.errors.OperationalError:
            if timeout is None and not self.closed:
                self.close()
            raise


def _deadline_connection(read_timeout_s: float, *, sync: bool = False) -> type[Any]:
    base: type[Any] = _SyncDeadlineConnection if sync else _DeadlineConnection
    return type("DeadlineConnection", (base,), {"read_timeout_s": read_timeout_s})


def _read_timeout_s(settings: Settings) -> float:
    db = settings.database
    return db.read_timeout_s or db.statement_timeout_ms / 1000 + 2


def _pg_connect_args(settings: Settings) -> dict[str, Any]:
    db = settings.database
    return {
        "connect_timeout": max(1, int(db.connect_timeout_s)),
        "options": f"-c statement_timeout={int(db.statement_timeout_ms)}"
        f" -c lock_timeout={int(db.statement_timeout_ms)}",
    }


def _postgresql_engine(url: str, settings: Settings) -> AsyncEngine:
    db = settings.database
    return create_async_engine(
        url,
        pool_size=db.pool_size,
        pool_pre_ping=True,
        pool_timeout=db.connect_timeout_s,
        connect_args={
            "async_creator_fn": _deadline_connection(_read_timeout_s(settings)).connect,
            **_pg_connect_args(settings),
        },
    )


def build_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
