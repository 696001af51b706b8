"""Live updates for the pages (Server-Sent Events): a team page's slot counts and the inbox
badge change without a reload (``static/app.js`` listens; without JavaScript nothing asks).

``GET /live/teams/{id}``: the team's slots now, then each change (anyone who may see the
team). ``GET /live/me``: the signed-in member's unread count now, then each change (their
own only: the channel is chosen from the session, never from the request). Each stream
starts with the current state, so a reconnecting page catches up; a comment every
``HEARTBEAT`` seconds keeps proxies from closing an idle one. The stream holds no database
connection while it waits; it stops when the browser goes (``wap serve`` cuts what is
still open a few seconds into a shutdown: ``cli.py``).

Each open stream is a connection and a subscription for as long as its page stays open, so
one caller holds at most ``MEMBER_STREAMS`` of them (a signed-in member, however many
browsers) or ``ADDRESS_STREAMS`` (visitors, by client address: a campus network shares one)
in each process; one more is ``429 rate.limited`` (``StreamLimit``)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from dishka import FromDishka
from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from wap.application.errors import RateLimited
from wap.application.live import WatchInbox, WatchQuery, WatchTeam, member_channel, team_channel
from wap.application.ports import LiveEvent, LiveFeed
from wap.domain.errors import WapError
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import Id

log = logging.getLogger("wap.live")
HEARTBEAT = 15.0
RETRY_MS = 5000  # how long a browser waits before it reconnects a dropped stream
MEMBER_STREAMS = 16  # a page has one or two; this is eight tabs' worth, per process
ADDRESS_STREAMS = 64  # visitors behind one address (a lab, a campus NAT), per process
LIMIT_STATE = "wap_live_streams"


class _Lease:
    """One open stream's place; the place is free again once the stream lets it go."""

    __slots__ = ("__weakref__",)


class StreamLimit:
    """The streams each caller holds open in this process. A place is held by its stream's
    generator: it is given back when the stream ends, and also if the response never starts
    (the generator is then dropped unstarted, and the weak set forgets it)."""

    def __init__(self) -> None:
        self._held: dict[str, weakref.WeakSet[_Lease]] = {}

    def take(self, identity: Identity) -> _Lease:
        actor = identity.actor
        if actor is not None:
            key, most = f"member:{actor.member_id}", MEMBER_STREAMS
        else:
            key, most = f"address:{identity.client_ip}", ADDRESS_STREAMS
        held = self._held.setdefault(key, weakref.WeakSet())
        if len(held) >= most:
            raise RateLimited(retry_after=RETRY_MS // 1000)
        lease = _Lease()
        held.add(lease)
        weakref.finalize(lease, self._forget, key)
        return lease

    def _forget(self, key: str) -> None:
        held = self._held.get(key)
        # Iterated, a weak set shows only the living (its own callback may not have run yet).
        if held is not None and not any(True for _ in held):
            del self._held[key]

    def holding(self, key: str) -> int:
        return len(self._held.get(key, ()))


def stream_limit(request: Request[Any, Any, Any]) -> StreamLimit:
    """The process's (the app's) one ``StreamLimit``."""
    limit = request.app.state.get(LIMIT_STATE)
    if not isinstance(limit, StreamLimit):
        limit = request.app.state[LIMIT_STATE] = StreamLimit()
    return limit


def _message(event: LiveEvent) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode())


async def _stream(
    feed: LiveFeed,
    channel: str,
    current: Callable[[], Awaitable[LiveEvent]],
    lease: _Lease | None = None,
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        async for message in _events(feed, channel, current):
            yield message
    finally:
        del lease  # the caller's place, given back


async def _events(
    feed: LiveFeed, channel: str, current: Callable[[], Awaitable[LiveEvent]]
) -> AsyncIterator[ServerSentEventMessage]:
    # Listen first, then read the state: a change between the two is not lost.
    async with feed.subscribe([channel]) as subscription:
        try:
            first = _message(await current())
        except WapError:  # the team went (or became invisible) since the handler looked
            yield _message({"type": "gone"})
            return
        except Exception:  # the response has started: end it, the browser comes back
            log.warning("live stream of %s ended before its first event", channel, exc_info=True)
            return
        first.retry = RETRY_MS
        yield first
        while True:
            try:
                async with asyncio.timeout(HEARTBEAT):
                    event = await subscription.next()
            except TimeoutError:
                yield ServerSentEventMessage(comment="ping")
            else:
                yield _message(event)


@get("/live/teams/{team_id:int}", include_in_schema=False)
async def team_events(
    request: Request[Any, Any, Any],
    team_id: Id,
    identity: FromDishka[Identity],
    watch: FromDishka[WatchTeam],
    feed: FromDishka[LiveFeed],
) -> ServerSentEvent:
    query = WatchQuery(team_id, identity.actor)
    await watch(query)  # team.not_found before any stream starts
    lease = stream_limit(request).take(identity)
    return ServerSentEvent(_stream(feed, team_channel(team_id), lambda: watch(query), lease))


@get("/live/me", include_in_schema=False)
async def inbox_events(
    request: Request[Any, Any, Any],
    identity: FromDishka[Identity],
    watch: FromDishka[WatchInbox],
    feed: FromDishka[LiveFeed],
) -> ServerSentEvent:
    actor = identity.actor
    await watch(actor)  # auth.required for a visitor
    assert actor is not None
    lease = stream_limit(request).take(identity)
    channel = member_channel(actor.member_id)
    return ServerSentEvent(_stream(feed, channel, lambda: watch(actor), lease))


ROUTES = [team_events, inbox_events]
