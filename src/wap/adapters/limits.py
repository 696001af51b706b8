from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

from wap.application.limits import RateLimiter


class RedisRateLimiter(RateLimiter):
    def __init__(self, redis: Redis, prefix: str = "wap:rate:") -> None:
        self._redis, self._prefix = redis, prefix

    async def hit(self, key: str, limit: int, per_seconds: int) -> bool:
        window = int(time.time()) // per_seconds
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, per_seconds + 1)
            count, _ = await pipe.execute()
        return int(count) <= limit


class InMemoryRateLimiter(RateLimiter):
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, per_seconds: int) -> bool:
        window = int(self._now()) // per_seconds
        seen_window, count = self._windows.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._windows[key] = (window, count)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        return count <= limit
