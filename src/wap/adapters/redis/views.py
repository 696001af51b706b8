"""The view ledger in Redis: per-team, per-day viewer sets and the pending counter."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Sequence
from datetime import date
from typing import Any, TypeVar

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wap.adapters.cache import Outage, RedisBytesStore, team_key
from wap.adapters.redis.batch import CommandBatch
from wap.application.errors import Unavailable
from wap.application.teams.read_models import TeamDetail
from wap.application.views.ports import ViewedPage, ViewedPageCache, ViewLedger
from wap.domain.views import Viewer, day_ends

T = TypeVar("T")

# The scripts' common part. pending(hash, claims, prefix, teams): the teams' counts not yet
# in the database, claimed batches included. count_view(k, a): the viewer's view of a team if
# it is their first of the day (no viewer: '', nothing recorded), then that team's pending
# count; KEYS from k: day set, pending hash, claims set, claim key prefix; ARGV from a:
# viewer, team id, when the day set expires (unix time).
_LIBRARY = """
local function pending(hash, claims, prefix, teams)
  local out = {}
  local base = redis.call('HMGET', hash, unpack(teams))
  for i = 1, #teams do out[i] = tonumber(base[i]) or 0 end
  for _, batch in ipairs(redis.call('SMEMBERS', claims)) do
    local more = redis.call('HMGET', prefix .. batch, unpack(teams))
    for i = 1, #teams do out[i] = out[i] + (tonumber(more[i]) or 0) end
  end
  return out
end

local function count_view(k, a)
  if ARGV[a] ~= '' and redis.call('SADD', KEYS[k], ARGV[a]) == 1 then
    redis.call('HINCRBY', KEYS[k + 1], ARGV[a + 1], 1)
    redis.call('EXPIREAT', KEYS[k], ARGV[a + 2])
  end
  return pending(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], {ARGV[a + 1]})[1]
end
"""

# KEYS: pending hash, claims set, claim key prefix. ARGV: team ids.
_PENDING = _LIBRARY + "return pending(KEYS[1], KEYS[2], KEYS[3], ARGV)"

_RECORD_AND_COUNT = _LIBRARY + "return count_view(1, 1)"

# The cached page, and count_view. KEYS: the cached page, then count_view's; ARGV:
# count_view's. A missing page, or a tombstone (''), is a miss: nil, and nothing counted. The
# cache holds only pages of teams that count views (GetTeamDetail keeps no other), so a hit
# counts without looking inside the page.
_TEAM_VIEWED = (
    _LIBRARY
    + """
local page = redis.call('GET', KEYS[1])
if not page or page == '' then return false end
return {page, count_view(2, 1)}
"""
)

# KEYS: pending hash, claim hash, claims set. ARGV: batch id. All or nothing.
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""


@functools.lru_cache(maxsize=4)  # every page asks; the answer changes once a day
def _day_set_expires(day: date) -> int:
    """When a day's viewer sets expire (unix time): an hour after the day has ended."""
    return int(day_ends(day).timestamp()) + 3600


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _counts(raw: dict[Any, Any]) -> dict[int, int]:
    return {int(_text(k)): int(_text(v)) for k, v in raw.items() if int(_text(v)) > 0}


class RedisViewLedger(ViewLedger):
    def __init__(
        self, redis: Redis, prefix: str = "wap:views:", batch: CommandBatch | None = None
    ) -> None:
        self._redis = redis
        # A team page read from the database records its view here: concurrent pages'
        # scripts go in one pipeline per loop turn, as a cached page's do (RedisViewedPages).
        self._batch = batch or CommandBatch(redis)
        self._day = f"{prefix}day:"
        self._pending = f"{prefix}pending"
        self._claim = f"{prefix}claim:"
        self._claims = f"{prefix}claims"
        self._take = redis.register_script(_CLAIM)
        self._sum = redis.register_script(_PENDING)
        self._record_and_count = redis.register_script(_RECORD_AND_COUNT)

    async def pending(self, team_ids: Sequence[int]) -> dict[int, int]:
        if not team_ids:
            return {}
        found = await self._sum(
            keys=[self._pending, self._claims, self._claim], args=list(team_ids)
        )
        return {team: int(n) for team, n in zip(team_ids, found, strict=True) if int(n)}

    def count_view_keys(self, team_id: int, day: date) -> list[str]:
        """KEYS of ``_COUNT_VIEW``: the day set, the pending hash, the claims, their prefix."""
        return [f"{self._day}{day.isoformat()}:{team_id}", self._pending, self._claims, self._claim]

    @staticmethod
    def count_view_args(team_id: int, viewer: Viewer | None, day: date) -> list[str | int]:
        """ARGV of ``_COUNT_VIEW``: the viewer, the team, when the day set expires."""
        return [viewer.key if viewer is not None else "", team_id, _day_set_expires(day)]

    async def record_and_count(self, team_id: int, viewer: Viewer, day: date) -> int:
        total = await self._batch.evalsha(
            self._record_and_count.sha,
            _RECORD_AND_COUNT,
            self.count_view_keys(team_id, day),
            self.count_view_args(team_id, viewer, day),
        )
        return int(total)

    async def pending_total(self) -> int:
        """Every count not yet in the database, claimed ones included (the metrics scrape)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hvals(self._pending)
            pipe.smembers(self._claims)
            base, batches = await pipe.execute()
        total = sum(int(_text(v)) for v in base)
        for batch in batches:
            total += sum(int(_text(v)) for v in await self._redis.hvals(self._claim + _text(batch)))
        return total

    async def claim(self, batch_id: str) -> dict[int, int]:
        key = self._claim + batch_id
        if not await self._take(keys=[self._pending, key, self._claims], args=[batch_id]):
            return {}
        return _counts(await self._redis.hgetall(key))

    async def claims(self) -> dict[str, dict[int, int]]:
        batches = sorted(_text(b) for b in await self._redis.smembers(self._claims))
        return {b: _counts(await self._redis.hgetall(self._claim + b)) for b in batches}

    async def release(self, batch_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._claim + batch_id)
            pipe.srem(self._claims, batch_id)
            await pipe.execute()

    async def forget_days_before(self, day: date) -> int:
        doomed = []
        async for key in self._redis.scan_iter(match=f"{self._day}*", count=500):
            name = _text(key)[len(self._day) :]
            if name[:10] < day.isoformat():
                doomed.append(key)
        for start in range(0, len(doomed), 500):
            await self._redis.delete(*doomed[start : start + 500])
        return len(doomed)


class ResilientViewLedger(ViewLedger):
    """Reads and records degrade to ``Unavailable`` (logged once) when Redis is away; the
    flush's own steps are left to fail loudly, so that the job retries."""

    def __init__(self, inner: ViewLedger) -> None:
        self._inner = inner
        self._outage = Outage("the view ledger (Redis)")

    async def _guard(self, call: Awaitable[T]) -> T:
        try:
            result = await call
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            raise Unavailable() from None
        self._outage.worked()
        return result

    async def pending(self, team_ids: Sequence[int]) -> dict[int, int]:
        return await self._guard(self._inner.pending(team_ids))

    async def record_and_count(self, team_id: int, viewer: Viewer, day: date) -> int:
        return await self._guard(self._inner.record_and_count(team_id, viewer, day))

    async def claim(self, batch_id: str) -> dict[int, int]:
        return await self._inner.claim(batch_id)

    async def claims(self) -> dict[str, dict[int, int]]:
        return await self._inner.claims()

    async def release(self, batch_id: str) -> None:
        await self._inner.release(batch_id)

    async def forget_days_before(self, day: date) -> int:
        return await self._inner.forget_days_before(day)


class RedisViewedPages(ViewedPageCache):
    """The cached page and its view in one script: one round trip for a team page (the
    cache's GET, then the ledger's SADD), where two steps would take two."""

    def __init__(
        self,
        redis: Redis,
        store: RedisBytesStore,
        ledger: RedisViewLedger,
        batch: CommandBatch | None = None,
    ) -> None:
        self._store, self._ledger = store, ledger
        self._script = redis.register_script(_TEAM_VIEWED)
        # Concurrent pages' scripts go in one pipeline per loop turn (adapters/redis/batch.py).
        self._batch = batch or CommandBatch(redis)
        self._decode = msgspec.json.Decoder(TeamDetail).decode
        self._outage = Outage("the cache")

    async def team_viewed(
        self, team_id: int, viewer: Viewer | None, day: date
    ) -> ViewedPage | None:
        keys = [
            self._store.redis_key(team_key(team_id)),
            *self._ledger.count_view_keys(team_id, day),
        ]
        args = self._ledger.count_view_args(team_id, viewer, day)
        try:
            found = await self._batch.evalsha(self._script.sha, _TEAM_VIEWED, keys, args)
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            return None  # a miss: the caller reads the database and counts through the ledger
        self._outage.worked()
        if found is None:
            return None
        page, pending = found
        return ViewedPage(self._decode(page), int(pending))
