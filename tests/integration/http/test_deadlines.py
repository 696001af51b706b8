"""Recruitment deadlines against MariaDB and Redis, with the real `wap jobs run` command."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, World, running_world
from tests.integration.http.test_foundation import assert_problem
from tests.integration.http.test_team_building import open_team
from wap.adapters.sql.tables import applications, team_members, teams

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


@pytest.fixture
def backend() -> str:
    return "mysql"


@pytest.fixture
async def live(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
) -> AsyncIterator[World]:
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    async with running_world(
        database_url, engine, tmp_path / "media", {"WAP_REDIS_URL": REDIS_URL}
    ) as world:
        yield world


async def close_recruitment(world: World) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | {
        "WAP_DATABASE_URL": world.settings.database_url,
        "WAP_REDIS_URL": REDIS_URL,
        "WAP_SECRET_KEY": SECRET,
    }
    process = await asyncio.create_subprocess_exec(
        *WAP, "jobs", "run", "close_recruitment", env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def test_a_team_closes_by_itself_and_its_pending_applicant_is_told(live: World) -> None:
    client = live.client
    officer, leader, early, late = (
        await live.account("Officer", officer=True),
        await live.account("Leader"),
        await live.account("Early"),
        await live.account("Late"),
    )
    # Room for a CLI process to start before the deadline, even on a busy machine.
    team = await open_team(live, leader, officer, recruit_until=soon(8))
    deadline = datetime.fromisoformat(team["recruit_until"])
    url = f"/api/v1/teams/{team['id']}/applications"
    assert (await client.post(url, json={"category": "웹"}, headers=early.auth)).status_code == 201
    assert "expired 0" in await close_recruitment(live)  # not yet
    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.2)
    assert_problem(
        await client.post(url, json={"category": "웹"}, headers=late.auth),
        409,
        "team.recruitment_closed",
    )
    assert "expired 1" in await close_recruitment(live)
    assert "expired 0" in await close_recruitment(live)  # idempotent
    mine = (await client.get("/api/v1/members/me/applications", headers=early.auth)).json()
    assert [a["status"] for a in mine] == ["expired"]
    inbox = (await client.get("/api/v1/notifications", headers=early.auth)).json()
    assert [n["kind"] for n in inbox["items"]] == ["application.expired"]


async def test_closing_and_accepting_at_the_deadline_never_disagree(live: World) -> None:
    client = live.client
    officer, leader = await live.account("Officer", officer=True), await live.account("Leader")
    team = await open_team(
        live, leader, officer, slots=[{"category": "웹", "capacity": 10}], recruit_until=soon(3)
    )
    tid = team["id"]
    people = await asyncio.gather(*(live.account(f"Racer{chr(65 + i)}") for i in range(10)))
    apps = [
        (
            await client.post(
                f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=p.auth
            )
        ).json()["id"]
        for p in people
    ]
    deadline = datetime.fromisoformat(team["recruit_until"] if team["recruit_until"] else soon(0))
    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds() - 0.3))

    async def accept_slowly(app_id: int, delay: float) -> int:
        await asyncio.sleep(delay)
        response = await client.post(
            f"/api/v1/teams/{tid}/applications/{app_id}/accept", headers=leader.auth
        )
        assert response.status_code < 500, response.text
        return response.status_code

    async def keep_closing() -> None:
        for _ in range(4):
            await close_recruitment(live)

    await asyncio.gather(*(accept_slowly(a, i * 0.08) for i, a in enumerate(apps)), keep_closing())
    await close_recruitment(live)

    async with live.engine.connect() as connection:
        until = (
            await connection.execute(select(teams.c.recruit_until).where(teams.c.id == tid))
        ).scalar_one()
        rows = (
            await connection.execute(
                select(
                    applications.c.member_id, applications.c.status, applications.c.decided_at
                ).where(applications.c.team_id == tid)
            )
        ).all()
        seated = set(
            (
                await connection.execute(
                    select(team_members.c.member_id).where(
                        team_members.c.team_id == tid, team_members.c.role == "member"
                    )
                )
            ).scalars()
        )
    assert {r.status for r in rows} <= {"accepted", "expired"}
    for row in rows:
        if row.status == "accepted":
            assert row.decided_at < until and row.member_id in seated
        else:
            assert row.member_id not in seated
