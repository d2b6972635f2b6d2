"""SECURITY attack 9 and R42: a dead, failing or crawling S3 endpoint makes the adapter fail fast
with BlobStoreUnavailable, within the deadline, after exactly two attempts."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import anyio
import pytest

from gateway.blobs.s3 import S3BlobStore
from gateway.settings import S3Settings
from kernel.blobs import BlobStore, BlobStoreUnavailable
from tests.fixtures.faults import (
    Behaviour,
    FaultServer,
    Switch,
    blackhole,
    dribble,
    http_500,
    reset,
)
from tests.fixtures.s3 import s3_settings_for

pytestmark = pytest.mark.anyio

END_TO_END_BUDGET_S = 15.0
KEY = "records/2026/03/" + "0" * 32
StartFault = Callable[[Behaviour], FaultServer]

OPERATIONS: dict[str, Callable[[BlobStore], Awaitable[object]]] = {
    "put": lambda store: store.put(b"%PDF-1.7", content_type="application/pdf", prefix="records"),
    "get": lambda store: store.get(KEY),
    "stat": lambda store: store.stat(KEY),
    "delete": lambda store: store.delete(KEY),
    "check": lambda store: store.check(),
}


StoreFor = Callable[..., S3BlobStore]


def store_at(server: FaultServer, store_for: StoreFor, **overrides: object) -> S3BlobStore:
    return store_for(s3_settings_for(server.url, "roi-faults", **overrides))


async def timed_failure(operation: Awaitable[object]) -> float:
    started = time.monotonic()
    with pytest.raises(BlobStoreUnavailable):
        await operation
    return time.monotonic() - started


async def hung_up(server: FaultServer) -> None:
    """The client let go of the connection soon after the deadline: the thread it abandoned was
    unblocked (its socket shut down), not left reading forever."""
    with anyio.fail_after(2):
        while server.open_connections:  # noqa: ASYNC110 (a count kept by other threads: poll it)
            await anyio.sleep(0.05)


@pytest.mark.slow
async def test_a_blackholed_endpoint_fails_within_the_budget_with_the_default_settings(
    fault_server: StartFault, s3_store_for: StoreFor
) -> None:
    server = fault_server(blackhole)
    store = store_at(server, s3_store_for)

    elapsed = await timed_failure(store.get(KEY))

    # Two attempts, each ended by the 4 s read timeout: about 8 s, well inside the 10 s deadline.
    assert server.connections == 2
    assert 7 < elapsed < END_TO_END_BUDGET_S


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_every_operation_on_a_blackholed_endpoint_gives_up_after_two_attempts(
    fault_server: StartFault, s3_store_for: StoreFor, operation: str
) -> None:
    server = fault_server(blackhole)
    store = store_at(server, s3_store_for, connect_timeout_s=0.5, read_timeout_s=0.5)

    elapsed = await timed_failure(OPERATIONS[operation](store))

    assert server.connections == 2
    assert elapsed < 5


@pytest.mark.parametrize(
    "behaviour", [http_500, reset], ids=["server-error-500", "connection-reset"]
)
@pytest.mark.parametrize("operation", ["put", "get", "check"])
async def test_a_failing_endpoint_is_unavailable_after_two_attempts(
    fault_server: StartFault,
    s3_store_for: StoreFor,
    behaviour: Behaviour,
    operation: str,
) -> None:
    server = fault_server(behaviour)
    store = store_at(server, s3_store_for)

    elapsed = await timed_failure(OPERATIONS[operation](store))

    assert server.connections == 2
    assert elapsed < END_TO_END_BUDGET_S


async def test_the_overall_deadline_stops_a_body_that_arrives_a_byte_at_a_time(
    fault_server: StartFault, s3_store_for: StoreFor
) -> None:
    # One byte every 0.5 s never trips the 4 s read timeout; only the deadline ends the call.
    server = fault_server(dribble(0.5))
    store = store_at(server, s3_store_for, deadline_s=2.0)

    elapsed = await timed_failure(store.get(KEY))

    assert 1.9 < elapsed < 4
    await hung_up(server)


async def test_the_deadline_also_bounds_each_step_of_a_stream(
    fault_server: StartFault, s3_store_for: StoreFor
) -> None:
    server = fault_server(dribble(0.5))
    store = store_at(server, s3_store_for, deadline_s=2.0)

    async def consume() -> None:
        async for _ in store.stream(KEY, chunk_size=64 * 1024):
            pass

    elapsed = await timed_failure(consume())

    assert elapsed < 6  # the 2 s deadline plus slack for a loaded CI machine (unbounded without it)
    await hung_up(server)


@pytest.mark.s3
async def test_the_store_recovers_by_itself_when_s3_comes_back(
    fault_server: StartFault, s3_store_for: StoreFor, s3_settings: S3Settings
) -> None:
    switch = Switch(str(s3_settings.endpoint_url))
    proxy = fault_server(switch.behaviour)
    settings = s3_settings.model_copy(
        update={"endpoint_url": proxy.url, "connect_timeout_s": 0.5, "read_timeout_s": 0.5}
    )
    store = s3_store_for(settings)
    stored = await store.put(b"%PDF-1.7", content_type="application/pdf", prefix="records")

    switch.down = True
    await timed_failure(store.get(stored.key))
    await timed_failure(store.check())

    switch.down = False
    await store.check()
    assert await store.get(stored.key) == b"%PDF-1.7"
