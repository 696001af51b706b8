"""One contract for live updates over the in-process broker and Redis pub/sub, and what only
Redis does: events published by one process reach the pages of another, over one pub/sub
connection per process however many pages listen."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.integration.conftest import REDIS_URL
from wap.adapters.memory.live import InMemoryLiveEvents
from wap.adapters.redis.live import RedisLiveEvents
from wap.application.live import RELOAD
from wap.application.ports import LiveEvent, LiveSubscription


async def next_within(subscription: LiveSubscription, seconds: float = 2.0) -> LiveEvent:
    async with asyncio.timeout(seconds):
        return await subscription.next()


async def nothing_within(subscription: LiveSubscription, seconds: float = 0.2) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await subscription.next()
    except TimeoutError:
        return True
    return False


@pytest.fixture
def channel() -> str:
    """Pub/sub channels are server-wide (not per database): one of the test's own."""
    return f"wap:test-live:{uuid.uuid4().hex}"


@pytest.fixture(params=["memory", "redis"])
def made(request: pytest.FixtureRequest, channel: str) -> InMemoryLiveEvents | RedisLiveEvents:
    if request.param == "memory":
        return InMemoryLiveEvents(queue_size=4)
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisLiveEvents(redis, channel, queue_size=4)


@pytest.fixture
async def live(
    made: InMemoryLiveEvents | RedisLiveEvents,
) -> AsyncIterator[InMemoryLiveEvents | RedisLiveEvents]:
    yield made
    if isinstance(made, RedisLiveEvents):
        await made.close()  # its reader, before the fixture's client goes


async def test_events_reach_the_subscribers_of_their_channel_in_order(
    live: InMemoryLiveEvents | RedisLiveEvents,
) -> None:
    async with live.subscribe(["team:1"]) as team, live.subscribe(["member:9"]) as inbox:
        await live.publish("team:1", {"type": "slots", "team_id": 1, "n": 1})
        await live.publish("member:9", {"type": "inbox", "unread": 2})
        await live.publish("team:1", {"type": "slots", "team_id": 1, "n": 2})
        assert await next_within(team) == {"type": "slots", "team_id": 1, "n": 1}
        assert await next_within(team) == {"type": "slots", "team_id": 1, "n": 2}
        assert await next_within(inbox) == {"type": "inbox", "unread": 2}
        assert await nothing_within(inbox)


async def test_a_subscriber_that_falls_behind_gets_a_reload(
    live: InMemoryLiveEvents | RedisLiveEvents,
) -> None:
    async with live.subscribe(["team:1"]) as slow:
        for n in range(10):
            await live.publish("team:1", {"type": "slots", "n": n})
        await asyncio.sleep(0.2)  # let Redis deliver them all
        assert await next_within(slow) == RELOAD
        assert await nothing_within(slow)


async def test_a_page_that_left_gets_nothing_and_holds_nothing(
    live: InMemoryLiveEvents | RedisLiveEvents,
) -> None:
    async with live.subscribe(["team:1"]):
        pass
    assert live.fanout.subscribers == 0
    async with live.subscribe(["team:2"]) as other:
        await live.publish("team:1", {"type": "slots"})
        assert await nothing_within(other)


async def test_two_processes_share_events_through_redis_one_connection_each(
    redis_client: Redis, channel: str
) -> None:
    # Two "processes": two clients with pools of their own, one broker each.
    second_client = Redis.from_url(REDIS_URL)
    first, second = RedisLiveEvents(redis_client, channel), RedisLiveEvents(second_client, channel)
    try:
        async with (
            first.subscribe(["team:5"]) as here,
            second.subscribe(["team:5"]) as there,
            second.subscribe(["team:5"]) as there_too,
            second.subscribe(["member:1"]) as elsewhere,
        ):
            listeners = await redis_client.pubsub_numsub(channel)
            assert listeners == [(channel.encode(), 2)]  # one per process, not per page
            await first.publish("team:5", {"type": "slots", "team_id": 5})
            for subscription in (here, there, there_too):
                assert await next_within(subscription) == {"type": "slots", "team_id": 5}
            assert await nothing_within(elsewhere)
    finally:
        await first.close()
        await second.close()
        await second_client.aclose()


async def test_publishing_without_redis_fails_quietly(channel: str) -> None:
    nowhere = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        await RedisLiveEvents(nowhere, channel).publish("team:1", {"type": "slots"})
    finally:
        await nowhere.aclose()


async def test_the_channel_is_per_database_by_default(redis_client: Redis) -> None:
    db = redis_client.connection_pool.connection_kwargs.get("db", 0)
    other = Redis.from_url("redis://127.0.0.1:6379/3")
    try:
        assert RedisLiveEvents(redis_client)._channel == f"wap:live:{db}"
        assert RedisLiveEvents(other)._channel == "wap:live:3"
    finally:
        await other.aclose()


async def test_a_lost_pub_sub_connection_comes_back_and_its_pages_are_told_to_reload(
    redis_client: Redis, channel: str
) -> None:
    name = f"wap-live-test-{uuid.uuid4().hex[:12]}"
    own = Redis.from_url(REDIS_URL, client_name=name)
    broker = RedisLiveEvents(own, channel)
    try:
        async with broker.subscribe(["team:1"]) as page:
            await broker.publish("team:1", {"type": "slots", "n": 1})
            assert await next_within(page) == {"type": "slots", "n": 1}
            # The server drops every connection of this broker's client, its pub/sub one too.
            for connection in await redis_client.client_list():
                if connection["name"] == name:
                    await redis_client.client_kill_filter(_id=connection["id"])
            assert await next_within(page, 5.0) == RELOAD
            await broker.publish("team:1", {"type": "slots", "n": 2})
            assert await next_within(page) == {"type": "slots", "n": 2}
    finally:
        await broker.close()
        await own.aclose()
