from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from wap.adapters.limits import InMemoryRateLimiter, RedisRateLimiter
from wap.application.limits import RateLimiter


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return InMemoryRateLimiter()
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisRateLimiter(redis)


async def test_a_key_is_refused_past_its_limit_and_others_are_not(limiter: RateLimiter) -> None:
    results = [await limiter.hit("a", 3, 60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert await limiter.hit("b", 3, 60)


async def test_concurrent_hits_are_counted_exactly(limiter: RateLimiter) -> None:
    results = await asyncio.gather(*(limiter.hit("burst", 10, 60) for _ in range(30)))
    assert results.count(True) == 10
