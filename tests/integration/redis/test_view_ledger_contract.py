"""One contract for the view ledger, over the in-memory twin and Redis."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from redis.asyncio import Redis

from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.redis.views import RedisViewLedger
from wap.application.views.ports import ViewLedger
from wap.domain.views import Viewer

# Far ahead: a day set expires at the end of its day, so a past day would vanish at once.
TODAY, TOMORROW = date(2099, 11, 24), date(2099, 11, 25)


@pytest.fixture(params=["memory", "redis"])
def ledger(request: pytest.FixtureRequest) -> ViewLedger:
    if request.param == "memory":
        return InMemoryViewLedger()
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisViewLedger(redis)


async def test_a_viewer_counts_once_a_day_per_team(ledger: ViewLedger) -> None:
    alice, bob = Viewer.member(1), Viewer.address("10.0.0.7")
    # A view that counts is one more pending; one that does not leaves the count as it was.
    assert await ledger.record_and_count(7, alice, TODAY) == 1
    assert await ledger.record_and_count(7, alice, TODAY) == 1  # not counted
    assert await ledger.record_and_count(8, alice, TODAY) == 1
    assert await ledger.record_and_count(7, bob, TODAY) == 2
    assert await ledger.record_and_count(7, alice, TOMORROW) == 3
    assert await ledger.pending([7, 8, 9]) == {7: 3, 8: 1}


async def test_concurrent_views_of_many_viewers_count_each_once(ledger: ViewLedger) -> None:
    viewers = [Viewer.member(i) for i in range(60)]
    results = await asyncio.gather(*(ledger.record_and_count(1, v, TODAY) for v in viewers * 5))
    # Each view that counted gave a new total once (1 … 60); the repeats, one already seen.
    assert sorted(set(results)) == list(range(1, 61))
    assert await ledger.pending([1]) == {1: 60}


async def test_a_claim_takes_everything_pending_at_once(ledger: ViewLedger) -> None:
    await ledger.record_and_count(1, Viewer.member(1), TODAY)
    await ledger.record_and_count(2, Viewer.member(1), TODAY)
    assert await ledger.claim("b1") == {1: 1, 2: 1}
    assert await ledger.claim("b2") == {}
    # Claimed counts are still pending until released: reads do not dip during a flush.
    await ledger.record_and_count(1, Viewer.member(2), TODAY)
    assert await ledger.pending([1, 2]) == {1: 2, 2: 1}
    assert await ledger.claims() == {"b1": {1: 1, 2: 1}}
    await ledger.release("b1")
    assert await ledger.claims() == {}
    assert await ledger.pending([1, 2]) == {1: 1}


async def test_record_and_count_gives_the_pending_count_with_the_view(ledger: ViewLedger) -> None:
    alice, bob = Viewer.member(1), Viewer.member(2)
    assert await ledger.record_and_count(1, alice, TODAY) == 1
    assert await ledger.record_and_count(1, alice, TODAY) == 1  # the same viewer: no more
    assert await ledger.record_and_count(2, alice, TODAY) == 1
    assert await ledger.claim("b1") == {1: 1, 2: 1}
    # A claimed batch still counts until it is released, as with ``pending``.
    assert await ledger.record_and_count(1, bob, TODAY) == 2
    assert await ledger.record_and_count(2, bob, TODAY) == 2
    await ledger.release("b1")
    assert await ledger.record_and_count(1, alice, TOMORROW) == 2
    assert await ledger.pending([1, 2]) == {1: 2, 2: 1}
    counts = await asyncio.gather(
        *(ledger.record_and_count(3, Viewer.member(i), TODAY) for i in range(40))
    )
    assert sorted(counts) == list(range(1, 41))


async def test_earlier_days_can_be_forgotten(ledger: ViewLedger) -> None:
    assert await ledger.record_and_count(1, Viewer.member(1), TODAY) == 1
    assert await ledger.record_and_count(1, Viewer.member(1), TOMORROW) == 2
    assert await ledger.forget_days_before(TOMORROW) == 1
    assert await ledger.record_and_count(1, Viewer.member(1), TOMORROW) == 2  # not counted
    assert await ledger.record_and_count(1, Viewer.member(1), TODAY) == 3  # that set is gone


async def test_redis_day_sets_expire_by_themselves(redis_client: Redis) -> None:
    ledger = RedisViewLedger(redis_client)
    await ledger.record_and_count(1, Viewer.member(1), TODAY)
    keys = await redis_client.keys("wap:views:day:*")
    assert len(keys) == 1
    assert await redis_client.ttl(keys[0]) > 0
