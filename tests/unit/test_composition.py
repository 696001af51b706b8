"""The composition root: each choice of stores makes a whole graph, and each adapter once.

Making a container has dishka validate its graph (every dependency has a factory of a
fitting scope; with strict settings, nothing is overridden without saying so), and makes
nothing: no connection is opened here."""

from __future__ import annotations

from datetime import date

import pytest
from dishka import Provider

from tests.builders import team_page
from wap.adapters.cache import BytesStore, MemoryBytesStore
from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.metrics import MemoryFlushJournal, OperationsReader
from wap.application.ports import ReadCache
from wap.application.views.ports import ViewedPageCache, ViewLedger
from wap.domain.views import Viewer
from wap.entrypoints.config import Settings
from wap.entrypoints.http.identity import HttpProvider
from wap.entrypoints.ioc import (
    MemoryProvider,
    RedisProvider,
    UncachedProvider,
    make_container,
    store_providers,
)
from wap.entrypoints.web import WebProvider

REDIS = {"WAP_REDIS_URL": "redis://127.0.0.1:6379/11"}
CACHE_OFF = {"WAP_READ_CACHE": "off"}
DAY = date(2099, 3, 10)


def settings(env: dict[str, str]) -> Settings:
    return Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "chosen"),
    [
        ({}, [MemoryProvider]),
        (REDIS, [RedisProvider]),
        (CACHE_OFF, [MemoryProvider, UncachedProvider]),
        (REDIS | CACHE_OFF, [RedisProvider, UncachedProvider]),
    ],
)
def test_the_stores_are_chosen_once_from_settings(
    env: dict[str, str], chosen: list[type[Provider]]
) -> None:
    assert [type(p) for p in store_providers(settings(env))] == chosen


@pytest.mark.parametrize("env", [{}, REDIS, CACHE_OFF, REDIS | CACHE_OFF])
@pytest.mark.parametrize("web", [False, True], ids=["worker", "web"])
async def test_every_graph_is_whole(env: dict[str, str], web: bool) -> None:
    # The worker, the scheduler and the CLI make the bare container; the web app adds its own.
    extra = (HttpProvider(), WebProvider()) if web else ()
    container = make_container(settings(env), *extra)  # raises if the graph has a hole
    await container.close()


async def test_the_memory_stores_are_one_instance_each() -> None:
    container = make_container(settings({}))
    try:
        ledger = await container.get(ViewLedger)
        assert ledger is await container.get(InMemoryViewLedger)
        assert isinstance(await container.get(BytesStore), MemoryBytesStore)
        # What the page cache keeps, the viewed pages find; the view they count, the
        # ledger and the scrape see.
        await (await container.get(ReadCache)).keep_team(team_page(7))
        hit = await (await container.get(ViewedPageCache)).team_viewed(7, Viewer.member(1), DAY)
        assert hit is not None and hit.pending == 1
        assert await ledger.pending([7]) == {7: 1}
        assert (await (await container.get(OperationsReader)).read()).pending_views == 1
        assert await container.get(MemoryFlushJournal) is await container.get(MemoryFlushJournal)
    finally:
        await container.close()


async def test_with_the_cache_off_a_team_page_always_misses() -> None:
    container = make_container(settings(CACHE_OFF))
    try:
        await (await container.get(ReadCache)).keep_team(team_page(7))
        viewed = await container.get(ViewedPageCache)
        assert await viewed.team_viewed(7, Viewer.member(1), DAY) is None
    finally:
        await container.close()
