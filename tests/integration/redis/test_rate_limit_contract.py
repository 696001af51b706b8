"""One contract for the rate limiter (the ``limits`` library's moving window), over its
in-memory storage and real Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from tests.integration.conftest import REDIS_URL
from wap.adapters.limits import InMemoryRateLimiter, RedisRateLimiter
from wap.application.auth.ports import Admission, RateLimiter


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return InMemoryRateLimiter()
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisRateLimiter(redis)


async def test_a_key_is_refused_past_its_limit_and_others_are_not(limiter: RateLimiter) -> None:
    results = [(await limiter.hit("a", 3, 60)).allowed for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert await limiter.hit("b", 3, 60) == Admission(True)
    # The same key under another rate is another budget.
    assert (await limiter.hit("a", 10, 60)).allowed


async def test_a_refusal_says_how_long_until_the_key_has_room(limiter: RateLimiter) -> None:
    for _ in range(2):
        assert (await limiter.hit("wait", 2, 60)).allowed
    refused = await limiter.hit("wait", 2, 60)
    assert not refused.allowed and not refused
    # The oldest admitted hit leaves the window a minute after it came: just now.
    assert 55 <= refused.retry_after <= 60


async def test_the_window_moves_and_refused_hits_are_not_counted(limiter: RateLimiter) -> None:
    assert (await limiter.hit("moving", 2, 1)).allowed
    assert (await limiter.hit("moving", 2, 1)).allowed
    refused = await limiter.hit("moving", 2, 1)
    assert not refused.allowed and refused.retry_after == 1
    await asyncio.sleep(refused.retry_after)  # Retry-After is rounded up: room by then
    assert (await limiter.hit("moving", 2, 1)).allowed


async def test_concurrent_hits_are_counted_exactly(limiter: RateLimiter) -> None:
    results = await asyncio.gather(*(limiter.hit("burst", 50, 60) for _ in range(200)))
    assert [r.allowed for r in results].count(True) == 50
    assert all(1 <= r.retry_after <= 60 for r in results if not r.allowed)


async def test_processes_share_one_budget_through_redis(redis_client: Redis) -> None:
    other = Redis.from_url(REDIS_URL)  # another process's own connection pool
    try:
        first, second = RedisRateLimiter(redis_client), RedisRateLimiter(other)
        answers = await asyncio.gather(
            *(limiter.hit("shared", 30, 60) for limiter in (first, second) for _ in range(40))
        )
        assert [a.allowed for a in answers].count(True) == 30
    finally:
        await other.aclose()
