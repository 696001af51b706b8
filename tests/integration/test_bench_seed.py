"""The benchmark's seeder (bench/seed.py) against the real schema on MariaDB, and its floor
app (bench/floor.py) against real MariaDB and Redis.

What it plants with bulk inserts, the service must read back over HTTP as if it had been made
through the API: this keeps the seeder in step with the schema and the domain's rules.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bench.floor import PATH, REDIS_KEY, REDIS_PATH, SQL_PATH, constant_body, create_floor_app
from bench.seed import SeedResult, SeedSize, seed
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, serving
from wap.adapters.sql.tables import applications, likes, team_members, team_slots, teams
from wap.domain.catalog import Category, Genre, Position
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app


@pytest.fixture
async def seeded(mysql_url: str, migrated_engines: dict[str, AsyncEngine]) -> SeedResult:
    engine = await migrated_engine("mysql", mysql_url, migrated_engines)
    return await seed(engine, SeedSize.at(0.1), rng_seed=7)


@pytest.fixture
async def client(mysql_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": mysql_url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
        }
    )
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as http,
    ):
        yield http


async def test_the_seeded_club_has_the_asked_size(seeded: SeedResult) -> None:
    assert SeedSize.at(1) == SeedSize(members=200, teams=100)
    assert len(seeded.member_ids) == seeded.rows["members"] == 20
    assert len(seeded.team_ids) == seeded.rows["teams"] == 10
    assert seeded.rows["applications"] > 0 and seeded.rows["likes"] > 0


async def test_team_pages_show_the_seeded_slots_members_and_likes(
    seeded: SeedResult, client: httpx.AsyncClient
) -> None:
    members_seen: set[int] = set()
    for team_id in seeded.team_ids:
        planted = seeded.teams[team_id]
        response = await client.get(f"/api/v1/teams/{team_id}")
        assert response.status_code == 200, response.text
        team = response.json()
        assert team["status"] == "recruiting"
        assert team["term"] == seeded.term
        assert Genre(team["genre"])
        assert team["title"] == planted.title
        assert team["leader"]["id"] == team["leader_id"] == planted.leader_id
        slots = {(s["category"], s["capacity"], s["filled"]) for s in team["slots"]}
        assert slots == {(s.category, s.capacity, s.filled) for s in planted.slots}
        assert 2 <= len(slots) <= 4
        assert all(Category(category) for category, _, _ in slots)
        assert team["like_count"] == planted.like_count
        # The view this request counts is in its own response (SPEC §2).
        assert team["view_count"] == planted.view_count + 1

        response = await client.get(f"/api/v1/teams/{team_id}/members")
        assert response.status_code == 200, response.text
        people = response.json()
        assert [p["member"]["id"] for p in people] == list(planted.member_ids)
        assert people[0]["role"] == "leader" and people[0]["category"] is None
        assert len(people) == 1 + sum(s.filled for s in planted.slots)
        members_seen.update(planted.member_ids)

    board = await client.get("/api/v1/teams", params={"limit": 50})
    assert board.status_code == 200, board.text
    assert {item["id"] for item in board.json()["items"]} == set(seeded.team_ids)

    some_member = next(iter(members_seen))
    theirs = await client.get(f"/api/v1/members/{some_member}/teams")
    assert theirs.status_code == 200, theirs.text
    expected = {t for t, planted in seeded.teams.items() if some_member in planted.member_ids}
    assert {item["id"] for item in theirs.json()} == expected


async def test_profiles_show_the_seeded_members(
    seeded: SeedResult, client: httpx.AsyncClient
) -> None:
    for member_id in seeded.member_ids:
        response = await client.get(f"/api/v1/members/{member_id}")
        assert response.status_code == 200, response.text
        profile = response.json()
        assert profile["id"] == member_id
        assert Position(profile["position"])
        assert 2 <= len(profile["name"]) <= 12
        assert profile["tech_stack"] and profile["links"]
        assert "email" not in profile and "student_number" not in profile


async def test_counts_agree_with_the_rows_behind_them(
    seeded: SeedResult, migrated_engines: dict[str, AsyncEngine]
) -> None:
    engine = migrated_engines["mysql"]
    async with engine.connect() as connection:
        like_rows: dict[int, int] = {
            team_id: count
            for team_id, count in await connection.execute(
                select(likes.c.team_id, func.count()).group_by(likes.c.team_id)
            )
        }
        like_counts: dict[int, int] = {
            team_id: count
            for team_id, count in await connection.execute(select(teams.c.id, teams.c.like_count))
        }
        filled = {
            (row.team_id, row.category): row.filled
            for row in await connection.execute(select(team_slots))
        }
        held = {
            (team_id, category): count
            for team_id, category, count in await connection.execute(
                select(team_members.c.team_id, team_members.c.category, func.count())
                .where(team_members.c.category.is_not(None))
                .group_by(team_members.c.team_id, team_members.c.category)
            )
        }
        accepted = (
            await connection.execute(
                select(func.count())
                .select_from(applications)
                .where(applications.c.status == "accepted")
            )
        ).scalar_one()
        pending_keys = (
            await connection.execute(
                select(applications.c.status, applications.c.pending_key).distinct()
            )
        ).all()
    assert like_counts == {team: like_rows.get(team, 0) for team in like_counts}
    assert {key: value for key, value in filled.items() if value} == held
    assert accepted == sum(held.values())
    for status, pending_key in pending_keys:
        assert (pending_key == 1) if status == "pending" else (pending_key is None)


async def test_the_floor_answers_the_same_body_on_all_three_routes(
    seeded: SeedResult, mysql_url: str, redis_client: Redis
) -> None:
    """bench/floor.py's ceilings make their round trip and answer the floor's own body."""
    assert seeded.team_ids  # /floor/sql reads a seeded team's row
    body_bytes = 1169
    app = create_floor_app(body_bytes, redis_url=REDIS_URL, database_url=mysql_url)
    async with (
        serving(app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as http,
    ):
        # The Redis route reads the key the floor wrote at start.
        assert await redis_client.get(REDIS_KEY) == constant_body(body_bytes)
        for path in (PATH, REDIS_PATH, SQL_PATH):
            response = await http.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.headers["content-type"] == "application/json"
            assert response.content == constant_body(body_bytes)
        # The round trip is real: what Redis holds is what the route answers.
        await redis_client.set(REDIS_KEY, b'{"floor":"changed"}')
        assert (await http.get(REDIS_PATH)).content == b'{"floor":"changed"}'
    assert await redis_client.get(REDIS_KEY) is None  # the floor cleans up after itself


def test_a_floor_body_has_exactly_the_asked_size() -> None:
    for size in (12, 13, 1169, 4096):
        body = constant_body(size)
        assert len(body) == size
        assert json.loads(body) == {"floor": "x" * (size - 12)}
    with pytest.raises(ValueError):
        constant_body(11)
