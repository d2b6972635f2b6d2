"""Shared by the fault tests (SECURITY attack 9, R42): the end-to-end budget, an app whose
PostgreSQL goes through a loopback TCP proxy, an app whose S3 goes through a switchable proxy,
a timer, row counts, and a trigger that cuts the database just before a chosen statement is sent."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gateway.ledger.models import LedgerEntry
from gateway.releases.models import Release
from gateway.settings import DatabaseSettings, S3Settings, Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, build_app, clock
from tests.fixtures.faults import FaultServer, Switch, fault_server
from tests.fixtures.tcp_proxy import TcpProxy, tcp_proxy
from tests.integration.links.conftest import count
from tests.integration.queue.conftest import World

__all__ = ["clock", "fault_server", "tcp_proxy"]
END_TO_END_BUDGET_S = 15.0
FAST = DatabaseSettings(connect_timeout_s=2.0, statement_timeout_ms=3_000, read_timeout_s=4.0)


@pytest.fixture
async def proxied(
    fresh_settings: Settings, clock: FixedClock, tcp_proxy: type[TcpProxy]
) -> AsyncIterator[tuple[World, TcpProxy]]:
    """The app with its PostgreSQL behind a proxy the test can cut (FAST deadlines)."""
    url = fresh_settings.database_url
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    proxy = tcp_proxy(host, int(port or 5432))
    database = FAST.model_copy(update={"url": url.replace(host_port, f"127.0.0.1:{proxy.port}")})
    settings = fresh_settings.model_copy(update={"database": database})
    app: Litestar = build_app(settings, clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield World(app, clock, client), proxy


@pytest.fixture
async def s3_world(
    fresh_settings: Settings, clock: FixedClock, s3_settings: S3Settings, fault_server: object
) -> AsyncIterator[tuple[World, Switch]]:
    """The app with its blob store on moto behind a switch the test can turn dark."""
    switch = Switch(str(s3_settings.endpoint_url))
    proxy: FaultServer = fault_server(switch.behaviour)  # type: ignore[operator]
    s3 = s3_settings.model_copy(
        update={"endpoint_url": proxy.url, "connect_timeout_s": 1.0, "read_timeout_s": 2.0}
    )
    settings = fresh_settings.model_copy(update={"blob_backend": "s3", "s3": s3})
    app: Litestar = build_app(settings, clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield World(app, clock, client), switch


async def release_and_ledger_rows(world: World) -> tuple[int, int]:
    """How many releases and ledger entries are stored."""
    return await count(world, Release), await count(world, LedgerEntry)


async def timed(call: Callable[[], object]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call()  # type: ignore[misc]
    return response, time.monotonic() - started


async def within_budget(
    call: Callable[[], object], trigger: CutAt | LoseReplyAtCommit | None = None
) -> httpx.Response:
    """The answer to ``call``, which must come within the end-to-end budget (and, with a
    ``trigger``, after the fault it arms was reached)."""
    response, took = await timed(call)
    if trigger is not None:
        assert trigger.fired, "the request never reached the cut point"
    assert took < END_TO_END_BUDGET_S, took
    return response


def assert_unavailable(response: httpx.Response, code: str = "DATABASE_UNAVAILABLE") -> None:
    """503 with the dependency's reason code and a ``Retry-After``."""
    assert (response.status_code, response.json()["code"]) == (503, code), response.text[:300]
    assert response.headers["retry-after"]


def _words(statement: str) -> str:
    """A statement lower-cased with its whitespace runs as single spaces (SQLAlchemy breaks
    compiled statements into lines)."""
    return " ".join(statement.lower().split())


class CutAt:
    """Cuts the database (``proxy.stall`` or ``proxy.refuse``) just before the first statement
    that starts with ``prefix`` (whitespace runs read as one space) is sent: a fault in the
    middle of a transaction, after the request's earlier statements went through (``sent``
    lists them). With no prefix it cuts at once. It watches every engine of the process (the
    async engine's and any synchronous one the app runs on threads), so it does not depend on
    which engine a path uses."""

    def __init__(self, proxy: TcpProxy, fault: str, prefix: str | None) -> None:
        self._proxy, self._fault = proxy, fault
        self._prefix = "" if prefix is None else prefix.lower()
        self._lock = threading.Lock()
        self.fired = False
        self.sent: list[str] = []
        if prefix is None:
            self._fire()
        else:
            event.listen(Engine, "before_cursor_execute", self._before)

    def _fire(self) -> None:
        self.fired = True
        getattr(self._proxy, self._fault)()

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            if self.fired:
                return
            if _words(statement).startswith(self._prefix):
                self._fire()
            else:
                self.sent.append(statement.lstrip())

    def remove(self) -> None:
        if event.contains(Engine, "before_cursor_execute", self._before):
            event.remove(Engine, "before_cursor_execute", self._before)


class LoseReplyAtCommit:
    """Loses the server's replies (``proxy.lose_replies``) from the first ``COMMIT`` of a
    transaction that sent a statement starting with ``after``: the server commits, the client
    never hears it (its read deadline fails the request). Watches every engine of the process."""

    def __init__(self, proxy: TcpProxy, after: str) -> None:
        self._proxy, self._after = proxy, after.lower()
        self._seen = False
        self.fired = False
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "commit", self._commit)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _words(statement).startswith(self._after):
            self._seen = True

    def _commit(self, _conn: Any) -> None:
        if self._seen and not self.fired:
            self.fired = True
            self._proxy.lose_replies()

    def remove(self) -> None:
        for name, listener in (("before_cursor_execute", self._before), ("commit", self._commit)):
            if event.contains(Engine, name, listener):
                event.remove(Engine, name, listener)


@pytest.fixture
def lose_reply_at_commit() -> Iterator[Callable[..., LoseReplyAtCommit]]:
    """Arm ``LoseReplyAtCommit`` triggers; all are removed after the test."""
    armed: list[LoseReplyAtCommit] = []

    def arm(proxy: TcpProxy, after: str) -> LoseReplyAtCommit:
        trigger = LoseReplyAtCommit(proxy, after)
        armed.append(trigger)
        return trigger

    yield arm
    for trigger in armed:
        trigger.remove()


@pytest.fixture
def cut_at() -> Iterator[Callable[..., CutAt]]:
    """Arm ``CutAt`` triggers; all are removed after the test."""
    armed: list[CutAt] = []

    def arm(proxy: TcpProxy, fault: str, prefix: str | None) -> CutAt:
        trigger = CutAt(proxy, fault, prefix)
        armed.append(trigger)
        return trigger

    yield arm
    for trigger in armed:
        trigger.remove()
