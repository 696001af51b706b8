"""The in-process fan-out of live updates: per-subscriber bounded queues, a reload instead
of an endless backlog, and nothing left behind when a subscriber goes."""

from __future__ import annotations

import asyncio

import pytest

from wap.adapters.memory.live import InMemoryLiveEvents
from wap.application.live import RELOAD


async def test_a_subscriber_gets_the_events_of_its_channels_only_in_order() -> None:
    live = InMemoryLiveEvents()
    async with live.subscribe(["team:1", "member:7"]) as mine:
        await live.publish("team:2", {"type": "slots", "team_id": 2})
        await live.publish("team:1", {"type": "slots", "team_id": 1})
        await live.publish("member:7", {"type": "inbox", "unread": 3})
        assert await mine.next() == {"type": "slots", "team_id": 1}
        assert await mine.next() == {"type": "inbox", "unread": 3}
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await mine.next()


async def test_every_subscriber_of_a_channel_gets_its_own_copy() -> None:
    live = InMemoryLiveEvents()
    async with live.subscribe(["team:1"]) as first, live.subscribe(["team:1"]) as second:
        await live.publish("team:1", {"type": "slots", "team_id": 1})
        assert await first.next() == await second.next() == {"type": "slots", "team_id": 1}


async def test_a_waiting_subscriber_wakes_on_publish_and_a_timeout_loses_nothing() -> None:
    live = InMemoryLiveEvents()
    async with live.subscribe(["member:1"]) as mine:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await mine.next()
        waiting = asyncio.create_task(mine.next())
        await asyncio.sleep(0.01)
        await live.publish("member:1", {"type": "inbox", "unread": 1})
        assert await asyncio.wait_for(waiting, 1) == {"type": "inbox", "unread": 1}


async def test_a_subscriber_that_falls_behind_gets_one_reload_then_new_events() -> None:
    live = InMemoryLiveEvents(queue_size=3)
    async with live.subscribe(["team:1"]) as slow, live.subscribe(["team:1"]) as fast:
        for n in range(3):
            await live.publish("team:1", {"type": "slots", "n": n})
            assert await fast.next() == {"type": "slots", "n": n}
        for n in range(3, 10):  # the slow one's queue overflows on the fourth
            await live.publish("team:1", {"type": "slots", "n": n})
        assert await slow.next() == RELOAD
        with pytest.raises(TimeoutError):  # the reload stood for all that was dropped
            async with asyncio.timeout(0.05):
                await slow.next()
        await live.publish("team:1", {"type": "slots", "n": 10})
        assert await slow.next() == {"type": "slots", "n": 10}


async def test_leaving_unsubscribes_even_on_an_error() -> None:
    live = InMemoryLiveEvents()
    async with live.subscribe(["team:1"]):
        assert live.fanout.subscribers == 1
    assert live.fanout.subscribers == 0
    with pytest.raises(RuntimeError):
        async with live.subscribe(["team:1", "member:2"]):
            raise RuntimeError("the browser went")
    assert live.fanout.subscribers == 0
    await live.publish("team:1", {"type": "slots"})  # nobody listens: nothing kept
