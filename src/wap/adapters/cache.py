"""Cache stores (Redis, or process memory) behind the ReadCache and ViewedPageCache ports."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wap.adapters.redis.batch import CommandBatch
from wap.application.members.read_models import PublicProfile
from wap.application.ports import ReadCache
from wap.application.teams.read_models import TeamDetail
from wap.application.views.counting import count_view
from wap.application.views.ports import ViewedPage, ViewedPageCache, ViewLedger
from wap.domain.views import Viewer

log = logging.getLogger("wap.cache")

TEAM_SECONDS = 600
PROFILE_SECONDS = 300


class Outage:
    """Says once that a store went away and once that it came back, not on every request."""

    def __init__(self, what: str) -> None:
        self._what = what
        self.down = False

    def failed(self, error: BaseException) -> None:
        if not self.down:
            self.down = True
            log.warning("%s unreachable (%r); carrying on without it", self._what, error)

    def worked(self) -> None:
        if self.down:
            self.down = False
            log.warning("%s reachable again", self._what)


TOMBSTONE = b""  # "just changed": a miss that readers may not fill for a few seconds
TOMBSTONE_SECONDS = 5


class BytesStore(ABC):
    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def add(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store only if the key is absent (a tombstone counts as present)."""

    @abstractmethod
    async def bury(self, keys: list[str], ttl_seconds: int) -> None:
        """Replace the entries by tombstones."""


def team_key(team_id: int) -> str:
    return f"team:{team_id}"


class RedisBytesStore(BytesStore):
    def __init__(
        self, redis: Redis, prefix: str = "wap:cache:", batch: CommandBatch | None = None
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        # Concurrent reads' GETs go in one pipeline per loop turn (adapters/redis/batch.py).
        self._batch = batch or CommandBatch(redis)

    def redis_key(self, key: str) -> str:
        """Where ``key`` lives in Redis."""
        return self._prefix + key

    async def get(self, key: str) -> bytes | None:
        found = await self._batch.execute("GET", self.redis_key(key))
        if found is None:
            return None
        return found.encode() if isinstance(found, str) else bytes(found)

    async def add(self, key: str, value: bytes, ttl_seconds: int) -> None:
        # A miss's page goes in the same pipelines as the hits' GETs.
        await self._batch.execute("SET", self.redis_key(key), value, "EX", ttl_seconds, "NX")

    async def bury(self, keys: list[str], ttl_seconds: int) -> None:
        if keys:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(self.redis_key(key), TOMBSTONE, ex=ttl_seconds)
                await pipe.execute()


class MemoryBytesStore(BytesStore):
    def __init__(self, max_items: int = 10_000) -> None:
        self._items: dict[str, tuple[float, bytes]] = {}
        self._max = max_items

    async def get(self, key: str) -> bytes | None:
        found = self._items.get(key)
        if found is None or found[0] <= time.monotonic():
            self._items.pop(key, None)
            return None
        return found[1]

    async def add(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if await self.get(key) is not None:
            return
        if len(self._items) >= self._max:
            self._items.clear()  # crude, bounded: the embedded default serves one club
        self._items[key] = (time.monotonic() + ttl_seconds, value)

    async def bury(self, keys: list[str], ttl_seconds: int) -> None:
        for key in keys:
            self._items[key] = (time.monotonic() + ttl_seconds, TOMBSTONE)


class StoreReadCache(ReadCache):
    def __init__(self, store: BytesStore) -> None:
        self._store = store
        self._outage = Outage("the cache")
        self._teams = msgspec.json.Decoder(TeamDetail)
        self._profiles = msgspec.json.Decoder(PublicProfile)

    async def _get(self, key: str) -> bytes | None:
        try:
            found = await self._store.get(key)
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            return None
        self._outage.worked()
        return found or None  # a tombstone is a miss

    async def _set(self, key: str, value: object, ttl: int) -> None:
        # Only into an empty place: a reader that loaded the row before a write committed
        # finds the writer's tombstone there and cannot put its old copy back.
        try:
            await self._store.add(key, msgspec.json.encode(value), ttl)
        except (RedisError, OSError) as error:
            self._outage.failed(error)

    async def team(self, team_id: int) -> TeamDetail | None:
        raw = await self._get(team_key(team_id))
        return self._teams.decode(raw) if raw is not None else None

    async def keep_team(self, detail: TeamDetail) -> None:
        await self._set(team_key(detail.id), detail, TEAM_SECONDS)

    async def profile(self, member_id: int) -> PublicProfile | None:
        raw = await self._get(f"member:{member_id}")
        return self._profiles.decode(raw) if raw is not None else None

    async def keep_profile(self, profile: PublicProfile) -> None:
        await self._set(f"member:{profile.id}", profile, PROFILE_SECONDS)

    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None:
        keys = [team_key(t) for t in teams] + [f"member:{m}" for m in members]
        try:
            await self._store.bury(keys, TOMBSTONE_SECONDS)
        except (RedisError, OSError) as error:
            self._outage.failed(error)


class NoReadCache(ReadCache):
    """``WAP_READ_CACHE=off``: every read goes to the database (to measure it, or to rule
    the cache out while looking for a fault)."""

    async def team(self, team_id: int) -> TeamDetail | None:
        return None

    async def keep_team(self, detail: TeamDetail) -> None:
        return None

    async def profile(self, member_id: int) -> PublicProfile | None:
        return None

    async def keep_profile(self, profile: PublicProfile) -> None:
        return None

    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None:
        return None


class LedgerViewedPages(ViewedPageCache):
    """The page from the read cache, then the view from the ledger: two steps (process
    memory, or a read cache that is off and always misses)."""

    def __init__(self, cache: ReadCache, ledger: ViewLedger) -> None:
        self._cache, self._ledger = cache, ledger

    async def team_viewed(
        self, team_id: int, viewer: Viewer | None, day: date
    ) -> ViewedPage | None:
        detail = await self._cache.team(team_id)
        if detail is None:
            return None
        return ViewedPage(detail, await count_view(self._ledger, team_id, viewer, day))
