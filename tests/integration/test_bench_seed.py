"""The benchmark's seeder (bench/seed.py) against the real schema on MariaDB.

What it plants with bulk inserts, the service must read back over HTTP as if it had been made
through the API: this keeps the seeder in step with the schema and the domain's rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bench.seed import SeedResult, SeedSize, seed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
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
