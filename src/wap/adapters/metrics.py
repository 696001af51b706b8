"""What an operator sees: counters kept in this process (``prometheus_client``, which sums
the processes of ``wap serve --workers N`` in multiprocess mode), and readings taken from
the shared stores when Prometheus scrapes (pending views, the task queue, the flushes that
``wap worker`` ran), so that no value depends on which process answers the scrape."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.redis.views import RedisViewLedger
from wap.application.members.read_models import PublicProfile
from wap.application.ports import ReadCache
from wap.application.teams.read_models import TeamDetail
from wap.application.views.ports import ViewedPage, ViewedPageCache
from wap.domain.views import Viewer

log = logging.getLogger("wap.metrics")

CACHE_LOOKUPS = Counter(
    "wap_cache_lookups_total",
    "Read-cache lookups by cache (team page, profile) and result (hit, miss)",
    ["cache", "result"],
)
_TEAM_HIT = CACHE_LOOKUPS.labels("team", "hit")
_TEAM_MISS = CACHE_LOOKUPS.labels("team", "miss")
_PROFILE_HIT = CACHE_LOOKUPS.labels("profile", "hit")
_PROFILE_MISS = CACHE_LOOKUPS.labels("profile", "miss")

RATE_LIMITED = Counter(
    "wap_rate_limited_total",
    "Requests refused with rate.limited, by route template",
    ["path"],
)


class CountingViewedPages(ViewedPageCache):
    """Counts the team page cache's hits and misses (its only lookup is this one)."""

    def __init__(self, inner: ViewedPageCache) -> None:
        self._inner = inner

    async def team_viewed(
        self, team_id: int, viewer: Viewer | None, day: date
    ) -> ViewedPage | None:
        found = await self._inner.team_viewed(team_id, viewer, day)
        (_TEAM_MISS if found is None else _TEAM_HIT).inc()
        return found


class CountingReadCache(ReadCache):
    """Counts the profile cache's hits and misses. Team lookups are counted where pages are
    read (``CountingViewedPages``): the embedded default reads them through this cache."""

    def __init__(self, inner: ReadCache) -> None:
        self._inner = inner

    async def team(self, team_id: int) -> TeamDetail | None:
        return await self._inner.team(team_id)

    async def keep_team(self, detail: TeamDetail) -> None:
        await self._inner.keep_team(detail)

    async def profile(self, member_id: int) -> PublicProfile | None:
        found = await self._inner.profile(member_id)
        (_PROFILE_MISS if found is None else _PROFILE_HIT).inc()
        return found

    async def keep_profile(self, profile: PublicProfile) -> None:
        await self._inner.keep_profile(profile)

    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None:
        await self._inner.forget(teams, members)


@dataclass(frozen=True, slots=True)
class FlushRecord:
    """What the view flushes did, across every process that ran one."""

    succeeded: int = 0
    failed: int = 0
    views: int = 0
    last_success: float | None = None  # unix time
    last_failure: float | None = None


class FlushJournal(ABC):
    """Where each flush's outcome is kept for the scrape. Never raises: a journal that
    cannot be written loses a reading, not the flush."""

    @abstractmethod
    async def succeeded(self, views: int, at: datetime) -> None: ...

    @abstractmethod
    async def failed(self, at: datetime) -> None: ...

    @abstractmethod
    async def read(self) -> FlushRecord: ...


class MemoryFlushJournal(FlushJournal):
    """The embedded default: the flush runs inside ``wap serve``, the one process."""

    def __init__(self) -> None:
        self.record = FlushRecord()

    async def succeeded(self, views: int, at: datetime) -> None:
        r = self.record
        self.record = FlushRecord(
            r.succeeded + 1, r.failed, r.views + views, at.timestamp(), r.last_failure
        )

    async def failed(self, at: datetime) -> None:
        r = self.record
        self.record = FlushRecord(
            r.succeeded, r.failed + 1, r.views, r.last_success, at.timestamp()
        )

    async def read(self) -> FlushRecord:
        return self.record


FLUSH_KEY = "wap:metrics:flush"


def _name(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _number(raw: Any) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        return None


class RedisFlushJournal(FlushJournal):
    """One Redis hash, written by whichever process flushed (``wap worker`` in production)."""

    def __init__(self, redis: Redis, key: str = FLUSH_KEY) -> None:
        self._redis = redis
        self._key = key

    async def _write(self, counter: str, views: int, stamp: str, at: datetime) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(self._key, counter, 1)
                if views:
                    pipe.hincrby(self._key, "views", views)
                pipe.hset(self._key, stamp, repr(at.timestamp()))
                await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("could not record a flush outcome: %r", error)

    async def succeeded(self, views: int, at: datetime) -> None:
        await self._write("succeeded", views, "last_success", at)

    async def failed(self, at: datetime) -> None:
        await self._write("failed", 0, "last_failure", at)

    async def read(self) -> FlushRecord:
        raw = await self._redis.hgetall(self._key)
        found = {
            (k.decode() if isinstance(k, bytes) else str(k)): _number(v) for k, v in raw.items()
        }
        return FlushRecord(
            succeeded=int(found.get("succeeded") or 0),
            failed=int(found.get("failed") or 0),
            views=int(found.get("views") or 0),
            last_success=found.get("last_success"),
            last_failure=found.get("last_failure"),
        )


@dataclass(frozen=True, slots=True)
class Readings:
    """Values read from the shared stores at scrape time."""

    flush: FlushRecord | None  # None: unreadable (Redis down), left out of the scrape
    pending_views: int | None  # not yet in the database, claimed batches included
    queue_waiting: int | None = None  # tasks not yet delivered to a worker
    queue_unacked: int | None = None  # delivered, not yet acknowledged (running or lost)


class OperationsReader(ABC):
    @abstractmethod
    async def read(self) -> Readings:
        """Never raises: what cannot be read is left out (``wap_dependency_up`` says why)."""


class MemoryOperationsReader(OperationsReader):
    def __init__(self, ledger: InMemoryViewLedger, journal: MemoryFlushJournal) -> None:
        self._ledger, self._journal = ledger, journal

    async def read(self) -> Readings:
        return Readings(await self._journal.read(), await self._ledger.pending_total())


def _int(raw: Any) -> int:
    return int(raw.decode() if isinstance(raw, bytes) else raw)


class RedisOperationsReader(OperationsReader):
    """Pending views from the ledger, queue depth from the task stream's consumer
    group (``XINFO GROUPS``: ``lag`` waits, ``pending`` is delivered and unacknowledged)."""

    def __init__(
        self,
        redis: Redis,
        journal: RedisFlushJournal,
        ledger: RedisViewLedger,
        *,
        stream: str = "wap:tasks",
        group: str = "taskiq",
    ) -> None:
        self._redis, self._journal, self._ledger = redis, journal, ledger
        self._stream, self._group = stream, group

    async def _queue(self) -> tuple[int | None, int | None]:
        if not await self._redis.exists(self._stream):
            return 0, 0  # nothing was ever sent
        for info in await self._redis.xinfo_groups(self._stream):
            group: dict[str, Any] = {_name(k): v for k, v in info.items()}
            if _name(group.get("name")) != self._group:
                continue
            lag = group.get("lag")
            return (int(lag) if lag is not None else None), int(group.get("pending") or 0)
        return _int(await self._redis.xlen(self._stream)), 0  # no worker has started yet

    async def read(self) -> Readings:
        try:
            flush = await self._journal.read()
            pending = await self._ledger.pending_total()
            waiting, unacked = await self._queue()
        except (RedisError, OSError) as error:
            log.warning("metrics: Redis unreachable (%r)", error)
            return Readings(None, None)
        return Readings(flush, pending, waiting, unacked)


class ReadingsCollector(Collector):
    """One scrape's readings, and the readiness probes' answers, as metric families."""

    def __init__(self, readings: Readings, dependencies: Mapping[str, bool]) -> None:
        self._r = readings
        self._dependencies = dependencies

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "wap_dependency_up",
            "1 when the dependency answers (the checks of /readyz)",
            labels=["dependency"],
        )
        for name, answers in sorted(self._dependencies.items()):
            up.add_metric([name], int(answers))
        yield up
        yield GaugeMetricFamily(
            "wap_ready", "1 when /readyz would answer 200", int(all(self._dependencies.values()))
        )
        r = self._r
        if r.flush is not None:
            yield from self._flushes(r.flush)
        gauges: Sequence[tuple[str, int | None, str]] = (
            ("wap_pending_views", r.pending_views, "Views counted, not yet in the database"),
            ("wap_queue_waiting_tasks", r.queue_waiting, "Tasks waiting for a worker"),
            (
                "wap_queue_unacked_tasks",
                r.queue_unacked,
                "Tasks delivered to a worker and not yet acknowledged",
            ),
        )
        for name, count, text in gauges:
            if count is not None:
                yield GaugeMetricFamily(name, text, count)

    @staticmethod
    def _flushes(flush: FlushRecord) -> Iterator[Metric]:
        flushes = CounterMetricFamily(
            "wap_view_flushes", "View flushes run, by result", labels=["result"]
        )
        flushes.add_metric(["ok"], flush.succeeded)
        flushes.add_metric(["failed"], flush.failed)
        yield flushes
        yield CounterMetricFamily(
            "wap_views_flushed", "Views moved into the database by flushes", value=flush.views
        )
        for name, value, text in (
            ("last_success", flush.last_success, "Unix time of the last flush that succeeded"),
            ("last_failure", flush.last_failure, "Unix time of the last flush that failed"),
        ):
            if value is not None:
                yield GaugeMetricFamily(f"wap_view_flush_{name}_timestamp_seconds", text, value)
