"""The RateLimiter port on the ``limits`` library: a moving window, in Redis or in memory.

Why a moving window rather than ``limits``' sliding-window counter (measured against Redis 7
on this project's machine, docs/operations.md "Rate limits and proxies"):

- It is exact: no span of ``per_seconds`` ever admits more than ``limit`` hits. The counter
  assumes the previous window's hits were spread evenly, so it admits a little more or less
  than the budget around a boundary; the old fixed window admitted twice the budget there.
- Its ``Retry-After`` is exact too: the oldest admitted hit in the window says when a slot
  frees up; the counter can only estimate it.
- It costs the same here: one Lua script a hit for both, plus one for a refused hit's
  Retry-After (about 11,000–15,000 hits/s from one process, far beyond the sign-in rate).
  Its memory is one timestamp per admitted hit, kept only for keys that use their budget:
  a hall's NAT address at 600/minute holds a 12 KB list; a key that is hit once holds about
  200 bytes (the counter: 2 × 104 bytes).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from wap.application.auth.ports import Admission, RateLimiter

KEY_PREFIX = "wap:rate"


class LimitsRateLimiter(RateLimiter):
    """Any ``limits.aio`` storage with the moving-window strategy."""

    def __init__(self, storage: Storage) -> None:
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, key: str, limit: int, per_seconds: int) -> Admission:
        # "limit per per_seconds seconds"; limits keeps each rate of a key apart.
        item = RateLimitItemPerSecond(limit, per_seconds)
        if await self._strategy.hit(item, key):
            return Admission(True)
        # Refused hits are not recorded, so the window's oldest hit says when room comes.
        stats = await self._strategy.get_window_stats(item, key)
        wait = math.ceil(stats.reset_time - time.time())
        return Admission(False, retry_after=min(max(wait, 1), per_seconds))


class InMemoryRateLimiter(LimitsRateLimiter):
    """For the embedded default: one process, so its memory is the whole truth."""

    def __init__(self) -> None:
        super().__init__(MemoryStorage())


class RedisRateLimiter(LimitsRateLimiter):
    """Shared by every process; uses the process's own Redis connection pool."""

    def __init__(self, redis: Redis, prefix: str = KEY_PREFIX) -> None:
        storage = RedisStorage(
            "async+redis://",  # limits' scheme; where it connects is the pool's business
            implementation="redispy",
            key_prefix=prefix,
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        )
        super().__init__(storage)
