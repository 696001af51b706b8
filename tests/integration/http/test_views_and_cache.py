"""View counting and the read cache, through HTTP, against MariaDB and Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dishka import Provider, Scope, provide
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, World, free_port, running_world
from tests.integration.http.test_foundation import assert_problem
from tests.integration.http.test_team_building import open_team, png
from tests.integration.redis_server import start_redis_server
from wap.adapters.sql.tables import teams
from wap.adapters.system import FixedClock
from wap.application.ports import Clock

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]
# 23:50 in Seoul; a quarter of an hour later it is another day (and tokens still live).
START = datetime(2099, 3, 10, 14, 50, tzinfo=UTC)


class ClockAt(Provider):
    scope = Scope.APP

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self._clock = clock

    @provide(override=True)
    def clock(self) -> Clock:
        return self._clock


@pytest.fixture
def backend() -> str:
    return "mysql"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def live(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
    clock: FixedClock,
) -> AsyncIterator[World]:
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    async with running_world(
        database_url,
        engine,
        tmp_path / "media",
        {"WAP_REDIS_URL": REDIS_URL},
        (ClockAt(clock),),
    ) as world:
        yield world


def run_job(world: World, job: str, redis_url: str = REDIS_URL) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | {
        "WAP_DATABASE_URL": world.settings.database_url,
        "WAP_REDIS_URL": redis_url,
        "WAP_SECRET_KEY": SECRET,
    }
    done = subprocess.run(
        [*WAP, "jobs", "run", job],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def stored_views(world: World, team_id: int) -> int:
    async with world.engine.connect() as connection:
        found = await connection.execute(select(teams.c.view_count).where(teams.c.id == team_id))
        return int(found.scalar_one())


async def test_sixty_members_viewing_five_times_count_sixty_and_again_next_day(
    live: World, clock: FixedClock
) -> None:
    officer, leader = await live.account("Officer", officer=True), await live.account("Leader")
    team = await open_team(live, leader, officer)
    tid = team["id"]
    viewers = await asyncio.gather(
        *(live.account(f"Viewer{chr(65 + i // 26)}{chr(65 + i % 26)}") for i in range(60))
    )
    gate = asyncio.Semaphore(40)

    async def look(headers: dict[str, str]) -> int:
        async with gate:
            response = await live.client.get(f"/api/v1/teams/{tid}", headers=headers)
        assert response.status_code == 200, response.text
        return int(response.json()["view_count"])

    seen = await asyncio.gather(*(look(v.auth) for v in viewers for _ in range(5)))
    assert min(seen) >= 1 and max(seen) == 60  # each answer includes its own view

    assert "flushed 60 views" in run_job(live, "flush_views")
    assert await stored_views(live, tid) == 60
    assert await look(viewers[0].auth) == 60  # stored, nothing pending, no new view
    assert "flushed 0 views" in run_job(live, "flush_views")

    # Midnight in Seoul: everyone counts again.
    clock.moment = START + timedelta(minutes=15)
    again = await asyncio.gather(*(look(v.auth) for v in viewers))
    assert max(again) == 120
    run_job(live, "flush_views")
    assert await stored_views(live, tid) == 120
    # The midnight job drops the earlier days' viewer sets (they would expire anyway).
    assert "dropped" in run_job(live, "reset_view_windows")


async def test_a_pending_team_counts_no_views(live: World) -> None:
    leader = await live.account("Leader")
    team = await open_team(live, leader)
    for _ in range(3):
        assert (await live.client.get(f"/api/v1/teams/{team['id']}", headers=leader.auth)).json()[
            "view_count"
        ] == 0


async def test_an_untrusted_peer_cannot_forge_its_address(
    live: World,
) -> None:
    officer, leader = await live.account("Officer", officer=True), await live.account("Leader")
    tid = (await open_team(live, leader, officer))["id"]
    url = f"/api/v1/teams/{tid}"
    first = (await live.client.get(url)).json()["view_count"]
    # Not a trusted proxy: X-Forwarded-For is ignored, so this is the same viewer.
    forged = await live.client.get(url, headers={"X-Forwarded-For": "203.0.113.9"})
    assert forged.json()["view_count"] == first == 1


async def test_reads_see_every_write_through_the_cache(live: World, redis_client: Redis) -> None:
    client = live.client
    officer, leader, joiner = (
        await live.account("Officer", officer=True),
        await live.account("Leader"),
        await live.account("Joiner"),
    )
    team = await open_team(live, leader, officer)
    tid = team["id"]
    url = f"/api/v1/teams/{tid}"

    async def page() -> dict[str, object]:
        response = await client.get(url, headers=joiner.auth)
        assert response.status_code == 200
        return dict(response.json())

    await page()
    assert await redis_client.exists(f"wap:cache:team:{tid}") == 1

    await client.patch(url, json={"description": "바뀐 설명"}, headers=leader.auth)
    assert (await page())["description"] == "바뀐 설명"
    await client.put(f"{url}/like", headers=joiner.auth)
    assert (await page())["like_count"] == 1
    app = (
        await client.post(f"{url}/applications", json={"category": "웹"}, headers=joiner.auth)
    ).json()
    await client.post(f"{url}/applications/{app['id']}/accept", headers=leader.auth)
    assert {s["category"]: s["filled"] for s in (await page())["slots"]}["웹"] == 1  # type: ignore[index, union-attr]
    await client.post(f"{url}/leader", json={"member_id": joiner.id}, headers=leader.auth)
    assert (await page())["leader_id"] == joiner.id
    await client.delete(f"{url}/members/{leader.id}", headers=leader.auth)
    assert {s["category"]: s["filled"] for s in (await page())["slots"]}["웹"] == 0  # type: ignore[index, union-attr]
    image = await client.put(
        f"{url}/image", files={"image": ("a.png", png(), "image/png")}, headers=joiner.auth
    )
    assert (await page())["image_url"] == image.json()["image_url"]
    # The leader's avatar is on the team page too.
    avatar = await client.put(
        "/api/v1/members/me/avatar",
        files={"image": ("me.png", png(64, 64), "image/png")},
        headers=joiner.auth,
    )
    assert (await page())["leader"]["avatar_url"] == avatar.json()["avatar_url"]  # type: ignore[index]
    await client.post(f"{url}/complete", headers=joiner.auth)
    assert (await page())["status"] == "completed"

    profile_url = f"/api/v1/members/{leader.id}"
    assert (await client.get(profile_url)).json()["bio"] == "열심히 하겠습니다!"
    assert await redis_client.exists(f"wap:cache:member:{leader.id}") == 1
    await client.patch("/api/v1/members/me", json={"bio": "새 소개"}, headers=leader.auth)
    assert (await client.get(profile_url)).json()["bio"] == "새 소개"
    await client.post(
        f"/api/v1/admin/members/{leader.id}/role", json={"role": "officer"}, headers=officer.auth
    )
    assert (await client.get(profile_url)).json()["role"] == "officer"
    await client.post(
        "/api/v1/admin/members/expel", json={"ids": [leader.id]}, headers=officer.auth
    )
    assert_problem(await client.get(profile_url), 404, "member.not_found")
    await client.delete(url, headers=officer.auth)
    assert_problem(await client.get(url), 404, "team.not_found")


@pytest.fixture
def private_redis() -> Iterator[tuple[str, object]]:
    """A Redis server of the test's own, so that it can be stopped and started again."""
    port = free_port()

    def start() -> subprocess.Popen[bytes]:
        return start_redis_server(port)

    holder = {"process": start()}

    def stop() -> None:
        holder["process"].terminate()
        holder["process"].wait(timeout=10)

    def restart() -> None:
        holder["process"] = start()

    yield f"redis://127.0.0.1:{port}/0", (stop, restart)
    if holder["process"].poll() is None:
        stop()


async def test_reads_go_on_while_redis_is_down_and_recover_when_it_is_back(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
    private_redis: tuple[str, object],
) -> None:
    url, (stop, restart) = private_redis  # type: ignore[misc]
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    async with running_world(
        database_url, engine, tmp_path / "media", {"WAP_REDIS_URL": url}
    ) as world:
        officer, leader = (
            await world.account("Officer", officer=True),
            await world.account("Leader"),
        )
        tid = (await open_team(world, leader, officer))["id"]
        page, profile = f"/api/v1/teams/{tid}", f"/api/v1/members/{leader.id}"
        assert (await world.client.get(page)).json()["view_count"] == 1

        stop()
        down = await world.client.get(page)
        assert down.status_code == 200 and down.json()["view_count"] == 0  # stored; not counted
        assert (await world.client.get(profile)).status_code == 200
        assert (await world.client.get("/api/v1/teams")).status_code == 200
        ready = await world.client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"] == {
            "database": True,
            "redis": False,
        }
        # Signed-in requests need the session store: a clean 503, never a 500.
        assert_problem(
            await world.client.get("/api/v1/members/me", headers=leader.auth),
            503,
            "service.unavailable",
        )

        restart()  # a fresh, empty Redis
        for _ in range(50):
            if (await world.client.get("/readyz")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        back = await world.client.get(page, headers={"X-Forwarded-For": "x"})
        assert back.status_code == 200 and back.json()["view_count"] == 1  # counting again


async def test_every_list_shows_stored_plus_pending_views(live: World) -> None:
    officer, leader, fan = (
        await live.account("Officer", officer=True),
        await live.account("Leader"),
        await live.account("Fan"),
    )
    tid = (await open_team(live, leader, officer))["id"]
    await live.client.put(f"/api/v1/teams/{tid}/like", headers=fan.auth)
    assert (await live.client.get(f"/api/v1/teams/{tid}", headers=fan.auth)).json()[
        "view_count"
    ] == 1

    def count(items: list[dict[str, object]]) -> object:
        return next(t["view_count"] for t in items if t["id"] == tid)

    board = (await live.client.get("/api/v1/teams")).json()["items"]
    theirs = (await live.client.get(f"/api/v1/members/{leader.id}/teams")).json()
    liked = (await live.client.get("/api/v1/members/me/likes", headers=fan.auth)).json()
    assert count(board) == count(theirs) == count(liked) == 1  # nothing flushed yet


async def test_the_read_cache_can_be_switched_off(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
) -> None:
    """A title changed behind the service's back: the cache keeps showing the old one for
    its ten minutes; with WAP_READ_CACHE=off the next read shows the database's."""
    from sqlalchemy import update

    engine = await migrated_engine("mysql", database_url, migrated_engines)
    seen: dict[str, str] = {}
    for switch in ("on", "off"):
        await redis_client.flushdb()
        env = {"WAP_REDIS_URL": REDIS_URL, "WAP_READ_CACHE": switch}
        async with running_world(database_url, engine, tmp_path / switch, env) as world:
            officer = await world.account("Officer", officer=True)
            leader = await world.account("Leader")
            team = await open_team(world, leader, officer, title=f"캐시 {switch}")
            path = f"/api/v1/teams/{team['id']}"
            await redis_client.flushdb()  # the approval's tombstone would keep the page out
            assert (await world.client.get(path)).json()["title"] == f"캐시 {switch}"
            async with engine.begin() as connection:
                await connection.execute(
                    update(teams).where(teams.c.id == team["id"]).values(title=f"몰래 {switch}")
                )
            seen[switch] = (await world.client.get(path)).json()["title"]
            cached = await redis_client.keys("*team:*")
            assert (cached != []) is (switch == "on"), cached
    assert seen == {"on": "캐시 on", "off": "몰래 off"}
