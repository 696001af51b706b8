"""Live updates for the pages (Server-Sent Events): a team page's slot counts and the inbox
badge change without a reload (``static/app.js`` listens; without JavaScript nothing asks).

``GET /live/teams/{id}``: the team's slots now, then each change (anyone who may see the
team). ``GET /live/me``: the signed-in member's unread count now, then each change (their
own only: the channel is chosen from the session, never from the request). Each stream
starts with the current state, so a reconnecting page catches up; a comment every
``HEARTBEAT`` seconds keeps proxies from closing an idle one. The stream holds no database
connection while it waits; it stops when the browser goes (``wap serve`` cuts what is
still open a few seconds into a shutdown: ``cli.py``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
from dishka import FromDishka
from litestar import get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from wap.application.live import WatchInbox, WatchQuery, WatchTeam, member_channel, team_channel
from wap.application.ports import LiveEvent, LiveFeed
from wap.domain.errors import WapError
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import Id

log = logging.getLogger("wap.live")
HEARTBEAT = 15.0
RETRY_MS = 5000  # how long a browser waits before it reconnects a dropped stream


def _message(event: LiveEvent) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode())


async def _stream(
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
    team_id: Id,
    identity: FromDishka[Identity],
    watch: FromDishka[WatchTeam],
    feed: FromDishka[LiveFeed],
) -> ServerSentEvent:
    query = WatchQuery(team_id, identity.actor)
    await watch(query)  # team.not_found before any stream starts
    return ServerSentEvent(_stream(feed, team_channel(team_id), lambda: watch(query)))


@get("/live/me", include_in_schema=False)
async def inbox_events(
    identity: FromDishka[Identity],
    watch: FromDishka[WatchInbox],
    feed: FromDishka[LiveFeed],
) -> ServerSentEvent:
    actor = identity.actor
    await watch(actor)  # auth.required for a visitor
    assert actor is not None
    return ServerSentEvent(_stream(feed, member_channel(actor.member_id), lambda: watch(actor)))


ROUTES = [team_events, inbox_events]
