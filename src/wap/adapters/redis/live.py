"""Live updates across processes through Redis pub/sub.

Every process publishes to one Redis channel and reads it over one pub/sub connection of
its own (opened when its first page subscribes), then hands each event to its own
subscribers of the event's channel (``Fanout``): one Redis connection per process, not one
per browser. Events are few and small (an accept, a notice), so each process reading all
of them costs less than a subscription per team and member."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from wap.adapters.memory.live import QUEUE_SIZE, Fanout
from wap.application.live import RELOAD
from wap.application.ports import LiveEvent, LiveEvents, LiveFeed, LiveSubscription

log = logging.getLogger("wap.live")
CHANNEL = "wap:live:{db}"  # pub/sub ignores the database index: two sites on one server
READY_WAIT = 2.0  # how long a first subscriber waits for the pub/sub connection
RETRY_AFTER = 1.0


class _Envelope(msgspec.Struct, frozen=True):
    channel: str
    event: dict[str, Any]


class RedisLiveEvents(LiveEvents, LiveFeed):
    def __init__(
        self, redis: Redis, channel: str | None = None, queue_size: int = QUEUE_SIZE
    ) -> None:
        db = redis.connection_pool.connection_kwargs.get("db", 0)
        self._redis, self._channel = redis, channel or CHANNEL.format(db=db)
        self.fanout = Fanout(queue_size)
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, channel: str, event: LiveEvent) -> None:
        message = msgspec.json.encode(_Envelope(channel, dict(event)))
        for attempt in (1, 2):  # a second time on a fresh connection (the pool drops a dead one)
            try:
                await self._redis.publish(self._channel, message)
                return
            except RedisConnectionError:
                if attempt == 2:
                    log.warning("live event not published on %s", channel, exc_info=True)
            except Exception:
                log.warning("live event not published on %s", channel, exc_info=True)
                return

    @asynccontextmanager
    async def subscribe(self, channels: Sequence[str]) -> AsyncIterator[LiveSubscription]:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="wap-live-reader")
        async with self.fanout.subscribe(channels) as subscription:
            # Events published before the process listens are not for this page, which has
            # just been read; wait (briefly) until it does listen.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), READY_WAIT)
            yield subscription

    async def _read(self) -> None:
        lost = False
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    if lost:  # events may have gone by while the connection was down
                        self.fanout.deliver_all(RELOAD)
                        lost = False
                    while True:
                        # A bounded wait (the client's socket timeout is 5 s); None when idle.
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None and message.get("type") == "message":
                            self._dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live pub/sub connection lost; reconnecting", exc_info=True)
                lost = True
                self._ready.clear()
                await asyncio.sleep(RETRY_AFTER)

    def _dispatch(self, data: bytes) -> None:
        try:
            envelope = msgspec.json.decode(data, type=_Envelope)
        except msgspec.DecodeError:
            log.warning("live event not understood: %r", data[:200])
            return
        self.fanout.deliver(envelope.channel, envelope.event)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
