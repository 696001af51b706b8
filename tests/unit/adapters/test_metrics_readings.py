"""The scrape's readings never fail the scrape: a Redis that does not answer leaves its
series out, and says so in ``wap_dependency_up``, rather than reporting zeros (which would
look like counter resets) or raising."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.metrics import (
    MemoryFlushJournal,
    MemoryOperationsReader,
    Readings,
    ReadingsCollector,
    RedisFlushJournal,
    RedisOperationsReader,
)
from wap.adapters.redis.views import RedisViewLedger
from wap.domain.views import Viewer

NOON = datetime(2099, 3, 10, 3, 0, tzinfo=UTC)


def exposition(readings: Readings, dependencies: dict[str, bool]) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReadingsCollector(readings, dependencies))
    return generate_latest(registry).decode()


async def test_an_unreachable_redis_leaves_its_series_out() -> None:
    # Nothing listens on port 1; no retries, to keep the test quick.
    redis = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    try:
        readings = await RedisOperationsReader(
            redis, RedisFlushJournal(redis), RedisViewLedger(redis)
        ).read()
    finally:
        await redis.aclose()
    assert readings == Readings(None, None)
    text = exposition(readings, {"database": True, "redis": False})
    assert 'wap_dependency_up{dependency="redis"} 0.0' in text
    assert 'wap_dependency_up{dependency="database"} 1.0' in text
    assert "wap_ready 0.0" in text
    assert "wap_view_flushes_total" not in text and "wap_pending_views" not in text


async def test_the_embedded_default_reads_its_own_ledger_and_journal() -> None:
    ledger, journal = InMemoryViewLedger(), MemoryFlushJournal()
    await ledger.record_and_count(1, Viewer.address("10.0.0.1"), NOON.date())
    await ledger.record_and_count(2, Viewer.address("10.0.0.1"), NOON.date())
    await ledger.claim("batch")
    await ledger.record_and_count(1, Viewer.address("10.0.0.2"), NOON.date())
    await journal.succeeded(5, NOON)
    await journal.failed(NOON)
    text = exposition(await MemoryOperationsReader(ledger, journal).read(), {"database": True})
    assert "wap_pending_views 3.0" in text  # claimed and not yet applied ones included
    assert 'wap_view_flushes_total{result="ok"} 1.0' in text
    assert 'wap_view_flushes_total{result="failed"} 1.0' in text
    assert "wap_views_flushed_total 5.0" in text
    stamps = {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("wap_view_flush_last_")
    }
    assert stamps == {
        "wap_view_flush_last_success_timestamp_seconds": NOON.timestamp(),
        "wap_view_flush_last_failure_timestamp_seconds": NOON.timestamp(),
    }
    assert "wap_queue_waiting_tasks" not in text  # the in-process broker has no queue to read
