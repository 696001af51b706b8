"""Live updates inside one process: the fan-out to each subscriber's bounded queue, and the
embedded default's broker (no ``WAP_REDIS_URL``), which is the fan-out alone.

The Redis broker (``adapters/redis/live.py``) feeds the same fan-out from its one pub/sub
connection per process."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from wap.application.live import RELOAD
from wap.application.ports import LiveEvent, LiveEvents, LiveFeed, LiveSubscription

QUEUE_SIZE = 32


class QueuedSubscription(LiveSubscription):
    """One subscriber's events, at most ``size`` of them: a subscriber that falls further
    behind loses them all for one ``reload`` (its page is stale; it must read it again)."""

    def __init__(self, size: int) -> None:
        self._events: deque[LiveEvent] = deque()
        self._size = size
        self._overflowed = False
        self._ready = asyncio.Event()

    def put(self, event: LiveEvent) -> None:
        if self._overflowed:
            return  # the reload waiting in the queue stands for this one too
        if len(self._events) >= self._size:
            self._events.clear()
            self._events.append(RELOAD)
            self._overflowed = True
        else:
            self._events.append(event)
        self._ready.set()

    async def next(self) -> LiveEvent:
        while not self._events:
            self._ready.clear()
            await self._ready.wait()  # cancelled here, it has taken nothing
        event = self._events.popleft()
        if not self._events:
            self._overflowed = False
        return event


class Fanout:
    """The subscribers of this process by channel."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[str, set[QueuedSubscription]] = defaultdict(set)

    def deliver(self, channel: str, event: LiveEvent) -> None:
        for subscriber in tuple(self._subscribers.get(channel, ())):
            subscriber.put(event)

    def deliver_all(self, event: LiveEvent) -> None:
        """To every subscriber (a reload after the process may have missed events)."""
        for subscriber in {s for group in self._subscribers.values() for s in group}:
            subscriber.put(event)

    @property
    def subscribers(self) -> int:
        return len({s for group in self._subscribers.values() for s in group})

    @asynccontextmanager
    async def subscribe(self, channels: Sequence[str]) -> AsyncIterator[QueuedSubscription]:
        subscription = QueuedSubscription(self._queue_size)
        for channel in channels:
            self._subscribers[channel].add(subscription)
        try:
            yield subscription
        finally:
            for channel in channels:
                group = self._subscribers.get(channel)
                if group is not None:
                    group.discard(subscription)
                    if not group:
                        del self._subscribers[channel]


class InMemoryLiveEvents(LiveEvents, LiveFeed):
    """The embedded default: one process, so publishing is delivering."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.fanout = Fanout(queue_size)

    async def publish(self, channel: str, event: LiveEvent) -> None:
        self.fanout.deliver(channel, event)

    def subscribe(self, channels: Sequence[str]) -> AbstractAsyncContextManager[LiveSubscription]:
        return self.fanout.subscribe(channels)
