"""The Redis store set holds one instance of each adapter: the page cache, the viewed pages,
the ledger and the scrape all read the same keys, whatever their prefixes."""

from __future__ import annotations

from datetime import date

from redis.asyncio import Redis

from tests.builders import team_page
from tests.integration.conftest import REDIS_URL
from wap.adapters.cache import BytesStore, RedisBytesStore
from wap.adapters.metrics import OperationsReader
from wap.adapters.redis.views import RedisViewLedger
from wap.application.ports import ReadCache
from wap.application.views.ports import ViewedPageCache, ViewLedger
from wap.domain.views import Viewer
from wap.entrypoints.config import Settings
from wap.entrypoints.ioc import make_container

DAY = date(2099, 3, 10)


async def test_the_redis_stores_are_one_instance_each(redis_client: Redis) -> None:
    container = make_container(Settings.from_env({"WAP_REDIS_URL": REDIS_URL}))
    try:
        store = await container.get(BytesStore)
        assert isinstance(store, RedisBytesStore) and store is await container.get(RedisBytesStore)
        ledger = await container.get(RedisViewLedger)
        await (await container.get(ReadCache)).keep_team(team_page(7))
        hit = await (await container.get(ViewedPageCache)).team_viewed(7, Viewer.member(1), DAY)
        assert hit is not None and hit.detail == team_page(7) and hit.pending == 1
        assert await ledger.pending([7]) == {7: 1}
        assert await (await container.get(ViewLedger)).pending([7]) == {7: 1}
        assert (await (await container.get(OperationsReader)).read()).pending_views == 1
    finally:
        await container.close()
