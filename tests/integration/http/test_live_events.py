"""Live updates over real HTTP (uvicorn): a second client's stream shows the leader's accept
within 2 s, on SQLite with the in-process broker and on MariaDB with Redis pub/sub; a
rolled-back action sends nothing; a member's stream is their own inbox only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from dishka import Provider, Scope, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.club import served
from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, Account, World, running_world, serving
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_sessions import browser
from wap.adapters.memory.live import InMemoryLiveEvents
from wap.adapters.sql.notices import SqlNoticeRepository
from wap.adapters.sql.touched import Touched
from wap.application.demo import SeedDemo
from wap.application.errors import Unavailable
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import LiveFeed
from wap.domain.notifications import NewNotice
from wap.entrypoints.cli import SHUTDOWN_GRACE_SECONDS
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app
from wap.entrypoints.web import live

Events = asyncio.Queue[dict[str, Any]]


@asynccontextmanager
async def listening(client: httpx.AsyncClient, path: str) -> AsyncIterator[Events]:
    """An EventSource's view of ``path``: each event's data, decoded, in a queue."""
    async with client.stream("GET", path, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        events: Events = asyncio.Queue()

        async def read() -> None:
            data: list[str] = []
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    events.put_nowait(json.loads("\n".join(data)))
                    data = []

        reader = asyncio.create_task(read())
        try:
            yield events
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await reader


async def next_event(events: Events, seconds: float = 2.0) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        return await events.get()


def filled(event: dict[str, Any]) -> dict[str, int]:
    assert event["type"] == "slots", event
    return {s["category"]: s["filled"] for s in event["slots"]}


class Breaker:
    """Makes the next notice write fail after it is written (a crash mid-transaction)."""

    armed = False


class BreakingNotices(SqlNoticeRepository):
    async def add_many(self, notices: Sequence[NewNotice]) -> None:
        await super().add_many(notices)
        if Breaker.armed:
            Breaker.armed = False
            raise Unavailable()


class BreakingProvider(Provider):
    scope = Scope.REQUEST

    @provide(override=True)
    def notices(self, session: AsyncSession, touched: Touched) -> NoticeRepository:
        return BreakingNotices(session, touched)


@pytest.fixture
async def live_world(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> AsyncIterator[World]:
    """SQLite with the embedded stores (in-process broker); MariaDB with Redis."""
    engine = await migrated_engine(backend, database_url, migrated_engines)
    env: dict[str, str] = {}
    if backend == "mysql":
        env["WAP_REDIS_URL"] = REDIS_URL
        redis = Redis.from_url(REDIS_URL)
        await redis.flushdb()
        await redis.aclose()
    async with running_world(
        database_url, engine, tmp_path / "media", env, providers=(BreakingProvider(),)
    ) as world:
        yield world


async def apply(world: World, team: dict[str, Any], who: Account, category: str) -> int:
    applied = await world.client.post(
        f"/api/v1/teams/{team['id']}/applications", json={"category": category}, headers=who.auth
    )
    assert applied.status_code == 201, applied.text
    return int(applied.json()["id"])


async def test_an_accept_reaches_another_clients_team_stream_within_2_seconds(
    live_world: World,
) -> None:
    world = live_world
    officer, leader, applicant = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Applicant"),
    )
    team = await open_team(world, leader, officer)
    application = await apply(world, team, applicant, "웹")
    async with (
        browser(world, applicant.github) as page,
        listening(page, f"/live/teams/{team['id']}") as events,
    ):
        first = await next_event(events)  # the state now, first
        assert first["team_id"] == team["id"] and first["status"] == "recruiting"
        assert filled(first) == {"웹": 0, "UI/UX 디자인": 0}
        accepted = await world.client.post(
            f"/api/v1/teams/{team['id']}/applications/{application}/accept", headers=leader.auth
        )
        assert accepted.status_code == 200, accepted.text
        changed = await next_event(events, 2.0)
        assert filled(changed) == {"웹": 1, "UI/UX 디자인": 0}
        assert {s["capacity"] for s in changed["slots"]} == {2, 1}
        assert set(changed) == {"type", "team_id", "status", "slots"}  # counts, no people

        # Anyone may watch a visible team, signed in or not.
        async with (
            httpx.AsyncClient(base_url=str(world.client.base_url), timeout=30) as visitor,
            listening(visitor, f"/live/teams/{team['id']}") as theirs,
        ):
            assert filled(await next_event(theirs)) == {"웹": 1, "UI/UX 디자인": 0}
            deleted = await world.client.delete(f"/api/v1/teams/{team['id']}", headers=leader.auth)
            assert deleted.status_code == 204, deleted.text
            for stream in (events, theirs):
                assert await next_event(stream) == {"type": "gone", "team_id": team["id"]}


async def test_a_rolled_back_accept_sends_nothing(live_world: World) -> None:
    world = live_world
    officer, leader, first, second = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("First"),
        await world.account("Second"),
    )
    team = await open_team(world, leader, officer)
    broken, fine = await apply(world, team, first, "웹"), await apply(world, team, second, "웹")
    async with (
        browser(world, first.github) as page,
        listening(page, f"/live/teams/{team['id']}") as team_events,
        listening(page, "/live/me") as inbox,
    ):
        assert filled(await next_event(team_events))["웹"] == 0
        assert await next_event(inbox) == {"type": "inbox", "unread": 0}
        Breaker.armed = True  # the accept takes the place, writes the notice, then fails
        failed = await world.client.post(
            f"/api/v1/teams/{team['id']}/applications/{broken}/accept", headers=leader.auth
        )
        assert failed.status_code == 503, failed.text
        assert not Breaker.armed
        ok = await world.client.post(
            f"/api/v1/teams/{team['id']}/applications/{fine}/accept", headers=leader.auth
        )
        assert ok.status_code == 200, ok.text
        # The first event after the failure is the later accept's: one place taken.
        assert filled(await next_event(team_events)) == {"웹": 1, "UI/UX 디자인": 0}
        with pytest.raises(TimeoutError):  # and no notice reached the first applicant
            await next_event(inbox, 0.5)


async def test_a_members_stream_is_their_own_inbox_only(live_world: World) -> None:
    world = live_world
    officer, leader, alice, bob = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Alice"),
        await world.account("Bob"),
    )
    team = await open_team(world, leader, officer)
    async with (
        browser(world, alice.github) as alices,
        browser(world, bob.github) as bobs,
        listening(alices, "/live/me") as alice_inbox,
        listening(bobs, "/live/me") as bob_inbox,
    ):
        assert await next_event(alice_inbox) == {"type": "inbox", "unread": 0}
        assert await next_event(bob_inbox) == {"type": "inbox", "unread": 0}
        application = await apply(world, team, alice, "웹")
        rejected = await world.client.post(
            f"/api/v1/teams/{team['id']}/applications/{application}/reject", headers=leader.auth
        )
        assert rejected.status_code == 200, rejected.text
        assert await next_event(alice_inbox) == {"type": "inbox", "unread": 1}
        read = await world.client.post("/api/v1/notifications/read", json={}, headers=alice.auth)
        assert read.status_code in (200, 204), read.text
        assert await next_event(alice_inbox) == {"type": "inbox", "unread": 0}
        with pytest.raises(TimeoutError):
            await next_event(bob_inbox, 0.5)
        # No way to ask for another member's channel: a visitor is refused.
        async with httpx.AsyncClient(base_url=str(world.client.base_url)) as visitor:
            refused = await visitor.get("/live/me", headers={"Accept": "text/event-stream"})
            assert refused.status_code == 401
            assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_pending_or_unknown_team_has_no_stream(live_world: World) -> None:
    world = live_world
    leader = await world.account("Leader")
    pending = await open_team(world, leader)  # not approved: only its leader sees it
    async with httpx.AsyncClient(base_url=str(world.client.base_url)) as visitor:
        for path in (f"/live/teams/{pending['id']}", "/live/teams/999999"):
            refused = await visitor.get(path, headers={"Accept": "text/event-stream"})
            assert refused.status_code == 404, path
        page = await visitor.get("/live/teams/999999", headers={"Accept": "text/html"})
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    async with (
        browser(world, leader.github) as own,
        listening(own, f"/live/teams/{pending['id']}") as events,
    ):
        assert (await next_event(events))["status"] == "pending"


async def test_a_quiet_stream_sends_heartbeat_comments(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "HEARTBEAT", 0.2)
    world = live_world
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer)
    path = f"/live/teams/{team['id']}"
    async with world.client.stream("GET", path) as response:
        lines = response.aiter_lines()
        seen: list[str] = []
        async with asyncio.timeout(3):
            while seen.count(": ping") < 2:
                seen.append(await anext(lines))
        assert seen[0].startswith("data: ") and "retry: 5000" in seen


async def test_a_stream_is_not_counted_as_a_request_latency(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> None:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    token = "metrics-token-" + "l" * 20
    env = {"WAP_METRICS_TOKEN": token}
    async with running_world(database_url, engine, tmp_path / "media", env) as world:
        officer, leader = await world.account("Officer", officer=True), await world.account()
        team = await open_team(world, leader, officer)
        async with listening(world.client, f"/live/teams/{team['id']}") as events:
            await next_event(events)
        await asyncio.sleep(0.5)  # the server sees the stream end (a request is counted then)
        scrape = await world.client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scrape.status_code == 200
        assert 'path="/api/v1/teams"' in scrape.text  # requests are counted…
        requests = [line for line in scrape.text.splitlines() if line.startswith("wap_request")]
        assert requests  # …streams, which last as long as a page, are not (a refused one is
        assert not [line for line in requests if "/live/" in line]  # in wap_rate_limited)


async def test_a_browser_that_goes_leaves_no_subscription_behind(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> None:
    await migrated_engine(backend, database_url, migrated_engines)
    settings = Settings.from_env(
        {"WAP_DATABASE_URL": database_url, "WAP_SECRET_KEY": SECRET, "WAP_MEDIA_DIR": str(tmp_path)}
    )
    app = create_app(settings)
    async with serving(app) as base_url:
        container = app.state.dishka_container
        async with container() as request:
            await (await request.get(SeedDemo))()
        feed = await container.get(LiveFeed)
        assert isinstance(feed, InMemoryLiveEvents)
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            team = (await client.get("/api/v1/teams")).json()["items"][0]["id"]
            for _ in range(5):
                async with listening(client, f"/live/teams/{team}") as events:
                    await next_event(events)
                    assert feed.fanout.subscribers == 1
        for _ in range(50):
            if feed.fanout.subscribers == 0:
                break
            await asyncio.sleep(0.02)
        assert feed.fanout.subscribers == 0


def test_wap_serve_stops_promptly_with_an_open_stream(tmp_path: Path) -> None:
    """A stream never ends by itself; a stop cuts it after the grace (cli.py) instead of
    waiting for the browser."""
    server = served(tmp_path / "club")
    url = server.__enter__()
    try:
        team = httpx.get(f"{url}/api/v1/teams", timeout=10).json()["items"][0]["id"]
        with httpx.stream("GET", f"{url}/live/teams/{team}", timeout=30) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            assert next(lines).startswith(("retry:", "data:"))
            started = time.monotonic()
            stopping, server = server, None
            stopping.__exit__(None, None, None)  # SIGTERM, then wait for the process
            stopped_in = time.monotonic() - started
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    assert stopped_in < SHUTDOWN_GRACE_SECONDS + 5
