"""Red-team review of the live streams (``/live/teams/{id}``, ``/live/me``): a signed-out
cookie gets no inbox, and one caller cannot hold an unbounded number of streams open (each
is a connection and a subscription kept for as long as the page is open). On SQLite with the
in-process broker and on MariaDB with Redis pub/sub (``live_world``)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_live_events import listening, live_world, next_event
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_sessions import browser, cookie, origin_of
from wap.entrypoints.web import live

__all__ = ["live_world"]  # the fixture, used by name below


async def test_an_inbox_stream_is_refused_after_logout(live_world: World) -> None:
    world = live_world
    member = await world.account("Member")
    async with browser(world, member.github) as page:
        async with listening(page, "/live/me") as inbox:
            assert await next_event(inbox) == {"type": "inbox", "unread": 0}
        access = cookie(page, "wap_access")
        await page.get("/")
        out = await page.post(
            "/logout", data={"csrf": cookie(page, "wap_csrf")}, headers=origin_of(page)
        )
        assert out.status_code == 303
        # The old access cookie, played back after the sign-out: its session is closed.
        base = str(world.client.base_url)
        async with httpx.AsyncClient(base_url=base, cookies={"wap_access": access}) as replay:
            refused = await replay.get("/live/me", headers={"Accept": "text/event-stream"})
            assert refused.status_code == 401, refused.text
        bearer = await world.client.get("/live/me", headers={"Authorization": f"Bearer {access}"})
        assert bearer.status_code == 401


async def statuses(client: httpx.AsyncClient, path: str, stack: AsyncExitStack) -> int:
    """Opens a stream and keeps it open (until ``stack`` closes); its status."""
    response = await stack.enter_async_context(
        client.stream("GET", path, headers={"Accept": "text/event-stream"})
    )
    if response.status_code != 200:
        await response.aread()
    return response.status_code


async def test_one_member_holds_a_bounded_number_of_streams(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "MEMBER_STREAMS", 3)
    world = live_world
    officer, leader, other = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Other"),
    )
    team = await open_team(world, leader, officer)
    paths = [f"/live/teams/{team['id']}", "/live/me", f"/live/teams/{team['id']}"]
    async with browser(world, leader.github) as page, browser(world, other.github) as theirs:
        async with AsyncExitStack() as stack:
            assert [await statuses(page, p, stack) for p in paths] == [200, 200, 200]
            refused = await page.get("/live/me", headers={"Accept": "text/event-stream"})
            assert refused.status_code == 429, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["code"] == "rate.limited"
            assert int(refused.headers["retry-after"]) >= 1
            # The same member by bearer token is the same member.
            by_token = await world.client.get(
                f"/live/teams/{team['id']}",
                headers={"Authorization": f"Bearer {leader.token}", "Accept": "text/event-stream"},
            )
            assert by_token.status_code == 429
            # Someone else is not held back by it.
            async with listening(theirs, "/live/me") as inbox:
                assert (await next_event(inbox))["type"] == "inbox"
        # Streams that ended give their places back.
        for _ in range(100):
            async with AsyncExitStack() as stack:
                if await statuses(page, "/live/me", stack) == 200:
                    break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("closed streams were not given back")
        async with listening(page, "/live/me") as again:
            assert (await next_event(again))["type"] == "inbox"


async def test_one_address_without_a_session_holds_a_bounded_number_of_streams(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "ADDRESS_STREAMS", 2)
    world = live_world
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer)
    path = f"/live/teams/{team['id']}"
    base = str(world.client.base_url)
    async with (
        httpx.AsyncClient(base_url=base, timeout=30) as visitor,
        browser(world, leader.github) as page,
        AsyncExitStack() as stack,
    ):
        assert [await statuses(visitor, path, stack) for _ in range(2)] == [200, 200]
        refused = await visitor.get(path, headers={"Accept": "text/event-stream"})
        assert refused.status_code == 429 and refused.json()["code"] == "rate.limited"
        page_view = await visitor.get(path, headers={"Accept": "text/html"})  # a browser tab
        assert page_view.status_code == 429
        assert page_view.headers["content-type"].startswith("text/html")
        # A signed-in member at the same address counts as themself.
        async with listening(page, path) as events:
            assert (await next_event(events))["type"] == "slots"


async def test_a_rejected_pending_team_ends_its_leaders_stream_and_has_none_after(
    live_world: World,
) -> None:
    world = live_world
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    pending = await open_team(world, leader)
    path = f"/live/teams/{pending['id']}"
    async with browser(world, leader.github) as page, listening(page, path) as events:
        assert (await next_event(events))["status"] == "pending"
        rejected = await world.client.post(
            "/api/v1/admin/teams/reject", json={"ids": [pending["id"]]}, headers=officer.auth
        )
        assert rejected.json()["done"] == [pending["id"]], rejected.text
        assert await next_event(events) == {"type": "gone", "team_id": pending["id"]}
        again = await page.get(path, headers={"Accept": "text/event-stream"})
        assert again.status_code == 404


async def test_streams_opened_all_at_once_still_stop_at_the_cap(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "MEMBER_STREAMS", 3)
    world = live_world
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer)
    async with browser(world, leader.github) as page, AsyncExitStack() as stack:
        paths = [f"/live/teams/{team['id']}", "/live/me"] * 6
        answers = await asyncio.gather(*(statuses(page, p, stack) for p in paths))
        assert sorted(answers) == [200] * 3 + [429] * 9, answers
