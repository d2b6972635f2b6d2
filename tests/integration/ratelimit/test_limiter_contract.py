"""The two rate limiters hold to one contract (the shared one on this run's database): the
limit's events are allowed in any window and the next is refused with the seconds to wait; keys
and scopes are independent; a refused event does not push the window out. The shared one keeps
one budget for several engines (processes) and counts each event exactly once under races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gateway.db import build_engine, build_session_maker
from gateway.ratelimit import (
    Limit,
    MemoryRateLimiter,
    RateLimited,
    RateLimitState,
    SharedRateLimiter,
)
from gateway.settings import Settings
from kernel.clock import FixedClock

pytestmark = pytest.mark.db

Hit = Callable[[str, str, Limit], Awaitable[None]]
THREE_PER_MINUTE = Limit(events=3, window_s=60)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))


@pytest.fixture(params=["memory", "shared"])
async def hit(
    request: pytest.FixtureRequest, fresh_settings: Settings, clock: FixedClock
) -> AsyncIterator[Hit]:
    if request.param == "memory":
        memory = MemoryRateLimiter(clock)

        async def hit_memory(scope: str, key: str, limit: Limit) -> None:
            memory.hit(scope, key, limit)

        yield hit_memory
        return
    engine = build_engine(fresh_settings)
    yield SharedRateLimiter(build_session_maker(engine), clock).hit
    await engine.dispose()


async def _allowed(hit: Hit, times: int, key: str = "203.0.113.7", scope: str = "code") -> int:
    allowed = 0
    for _ in range(times):
        try:
            await hit(scope, key, THREE_PER_MINUTE)
        except RateLimited:
            continue
        allowed += 1
    return allowed


async def test_the_limit_is_allowed_and_the_next_event_refused(hit: Hit) -> None:
    assert await _allowed(hit, 3) == 3
    with pytest.raises(RateLimited) as refused:
        await hit("code", "203.0.113.7", THREE_PER_MINUTE)
    assert refused.value.code == "RATE_LIMITED"
    assert 1 <= refused.value.data["retry_after_s"] <= 60


async def test_the_budget_comes_back_with_time(hit: Hit, clock: FixedClock) -> None:
    assert await _allowed(hit, 4) == 3
    clock.advance(timedelta(seconds=61))
    assert await _allowed(hit, 4) == 3


async def test_keys_and_scopes_are_independent(hit: Hit) -> None:
    assert await _allowed(hit, 4, key="a") == 3
    assert await _allowed(hit, 4, key="b") == 3
    assert await _allowed(hit, 4, key="a", scope="verify") == 3


async def test_refused_events_do_not_push_the_window_out(hit: Hit, clock: FixedClock) -> None:
    assert await _allowed(hit, 3) == 3
    for _ in range(20):
        clock.advance(timedelta(seconds=1))
        assert await _allowed(hit, 1) == 0
    clock.advance(timedelta(seconds=41))  # 61 s after the three allowed events
    assert await _allowed(hit, 1) == 1


async def test_retry_after_is_when_the_next_event_is_allowed(hit: Hit, clock: FixedClock) -> None:
    assert await _allowed(hit, 3) == 3
    clock.advance(timedelta(seconds=10))
    with pytest.raises(RateLimited) as refused:
        await hit("code", "203.0.113.7", THREE_PER_MINUTE)
    wait = refused.value.data["retry_after_s"]
    clock.advance(timedelta(seconds=wait))
    assert await _allowed(hit, 1) == 1


async def test_several_processes_draw_on_one_budget(
    fresh_settings: Settings, clock: FixedClock
) -> None:
    engines = [build_engine(fresh_settings) for _ in range(2)]
    try:
        first, second = (SharedRateLimiter(build_session_maker(e), clock) for e in engines)
        assert await _allowed(first.hit, 2) == 2
        assert await _allowed(second.hit, 2) == 1
        assert await _allowed(first.hit, 1) == 0
    finally:
        for engine in engines:
            await engine.dispose()


async def test_concurrent_events_from_several_processes_count_once_each(
    fresh_settings: Settings, clock: FixedClock
) -> None:
    engines = [build_engine(fresh_settings) for _ in range(4)]
    limit = Limit(events=5, window_s=600)
    try:
        limiters = [SharedRateLimiter(build_session_maker(e), clock) for e in engines]

        async def one(index: int) -> bool:
            try:
                await limiters[index % 4].hit("code", "198.51.100.9", limit)
            except RateLimited:
                return False
            return True

        outcomes = await asyncio.gather(*(one(i) for i in range(40)))
        assert sum(outcomes) == 5
    finally:
        for engine in engines:
            await engine.dispose()


async def test_keys_are_stored_hashed_and_passed_rows_pruned(
    fresh_settings: Settings, clock: FixedClock
) -> None:
    engine = build_engine(fresh_settings)
    sessions = build_session_maker(engine)
    try:
        limiter = SharedRateLimiter(sessions, clock)
        await limiter.hit("code", "203.0.113.7", THREE_PER_MINUTE)
        await limiter.hit("export", "user:5", THREE_PER_MINUTE)
        async with sessions() as session:
            keys = list(await session.scalars(select(RateLimitState.key)))
        assert len(keys) == 2
        assert all(len(key) == 64 and "203.0.113.7" not in key for key in keys)
        assert await limiter.prune() == 0  # both still hold part of their window
        clock.advance(timedelta(seconds=60))
        assert await limiter.prune() == 2
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(RateLimitState)) == 0
    finally:
        await engine.dispose()
