from __future__ import annotations

from redis.asyncio import Redis

from wap.application.system.ports import DependencyProbe


class RedisProbe(DependencyProbe):
    name = "redis"

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False
