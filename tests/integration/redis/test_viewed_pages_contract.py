"""One contract for a cached team page read with its view: the two-step twin (read cache,
then ledger) over process memory, and the one-script Redis adapter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from redis.asyncio import Redis

from tests.builders import team_page
from tests.fakes import InMemoryLikeRepository, InMemoryTeamRepository
from tests.integration.http.conftest import free_port
from wap.adapters.cache import (
    LedgerViewedPages,
    MemoryBytesStore,
    RedisBytesStore,
    StoreReadCache,
)
from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.redis.views import RedisViewedPages, RedisViewLedger
from wap.adapters.system import FixedClock
from wap.application.ports import ReadCache
from wap.application.teams.ports import TeamDetailReader
from wap.application.teams.queries import GetTeamDetail, TeamQuery
from wap.application.teams.read_models import TeamDetail
from wap.application.views.ports import ViewedPageCache, ViewLedger
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import TeamStatus
from wap.domain.views import Viewer

# Far ahead: a day set expires at the end of its day, so a past day would vanish at once.
TODAY, TOMORROW = date(2099, 11, 24), date(2099, 11, 25)
NOON = datetime(2099, 11, 24, 3, tzinfo=UTC)  # TODAY, in Seoul


@dataclass
class Stores:
    cache: ReadCache
    ledger: ViewLedger
    viewed: ViewedPageCache


@pytest.fixture(params=["memory", "redis"])
def stores(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        cache, ledger = StoreReadCache(MemoryBytesStore()), InMemoryViewLedger()
        return Stores(cache, ledger, LedgerViewedPages(cache, ledger))
    redis: Redis = request.getfixturevalue("redis_client")
    store, redis_ledger = RedisBytesStore(redis), RedisViewLedger(redis)
    return Stores(StoreReadCache(store), redis_ledger, RedisViewedPages(redis, store, redis_ledger))


async def test_a_miss_counts_nothing(stores: Stores) -> None:
    assert await stores.viewed.team_viewed(7, Viewer.member(1), TODAY) is None
    assert await stores.ledger.pending([7]) == {}


async def test_a_hit_gives_the_page_as_cached_and_counts_each_viewer_once_a_day(
    stores: Stores,
) -> None:
    await stores.cache.keep_team(team_page(7))
    alice, bob = Viewer.member(1), Viewer.address("10.0.0.7")
    first = await stores.viewed.team_viewed(7, alice, TODAY)
    assert first is not None
    assert first.detail == team_page(7) and first.pending == 1
    assert [
        hit.pending if hit else None
        for hit in [
            await stores.viewed.team_viewed(7, alice, TODAY),
            await stores.viewed.team_viewed(7, bob, TODAY),
            await stores.viewed.team_viewed(7, None, TODAY),  # no viewer: counts, records none
            await stores.viewed.team_viewed(7, alice, TOMORROW),
        ]
    ] == [1, 2, 2, 3]
    assert await stores.ledger.pending([7]) == {7: 3}


async def test_its_views_are_the_ledgers_claimed_and_released_like_any_other(
    stores: Stores,
) -> None:
    await stores.cache.keep_team(team_page(7))
    await stores.ledger.record_and_count(7, Viewer.member(1), TODAY)
    assert await stores.ledger.claim("b1") == {7: 1}
    hit = await stores.viewed.team_viewed(7, Viewer.member(2), TODAY)
    assert hit is not None and hit.pending == 2  # the claimed batch counts until released
    await stores.ledger.release("b1")
    again = await stores.viewed.team_viewed(7, Viewer.member(1), TODAY)
    assert again is not None and again.pending == 1  # the first view was flushed already
    assert await stores.ledger.claim("b2") == {7: 1}


class OnePage(TeamDetailReader):
    def __init__(self, detail: TeamDetail) -> None:
        self._detail = detail

    async def detail(self, team_id: int) -> TeamDetail | None:
        return self._detail if team_id == self._detail.id else None


async def test_a_pending_team_counts_no_views(stores: Stores) -> None:
    # Which pages count views is decided where they are kept (GetTeamDetail keeps only
    # those), so the stores' contract is "a hit counts"; here, the whole read over each.
    get = GetTeamDetail(
        OnePage(team_page(8, TeamStatus.PENDING)),
        InMemoryLikeRepository(InMemoryTeamRepository()),
        stores.cache,
        stores.viewed,
        stores.ledger,
        FixedClock(NOON),
    )
    leader = Actor(1, Role.MEMBER, MemberStatus.APPROVED)
    for _ in range(2):
        shown = await get(TeamQuery(8, leader, Viewer.member(1)))
        assert shown.status == "pending" and shown.view_count == 40  # stored, none pending
    assert await stores.viewed.team_viewed(8, Viewer.member(1), TODAY) is None  # not kept
    assert await stores.ledger.pending([8]) == {}
    # Nor was the viewer put in the day's set: their view is new to the ledger.
    assert await stores.ledger.record_and_count(8, Viewer.member(1), TODAY) == 1


async def test_a_forgotten_page_is_a_miss_until_kept_again(stores: Stores) -> None:
    await stores.cache.keep_team(team_page(7))
    await stores.cache.forget(teams=[7])
    assert await stores.viewed.team_viewed(7, Viewer.member(1), TODAY) is None
    assert await stores.ledger.pending([7]) == {}


async def test_concurrent_readers_each_count_once(stores: Stores) -> None:
    await stores.cache.keep_team(team_page(9))
    viewers = [Viewer.member(i) for i in range(60)]
    hits = await asyncio.gather(*(stores.viewed.team_viewed(9, v, TODAY) for v in viewers * 5))
    assert all(hit is not None for hit in hits)
    assert await stores.ledger.pending([9]) == {9: 60}
    counts = await asyncio.gather(
        *(stores.viewed.team_viewed(9, Viewer.member(100 + i), TODAY) for i in range(40))
    )
    assert sorted(hit.pending for hit in counts if hit is not None) == list(range(61, 101))


async def test_an_unreachable_redis_is_a_miss() -> None:
    redis = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    try:
        viewed = RedisViewedPages(redis, RedisBytesStore(redis), RedisViewLedger(redis))
        assert await viewed.team_viewed(7, Viewer.member(1), TODAY) is None
    finally:
        await redis.aclose()
