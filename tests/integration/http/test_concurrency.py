"""Concurrency claims, tested with many requests at once against MariaDB through HTTP."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from tests.integration.http.conftest import World
from tests.integration.http.test_team_building import open_team
from wap.adapters.sql.tables import applications, likes, team_members, team_slots, teams


@pytest.fixture
def backend() -> str:
    return "mysql"


async def scalar(world: World, query: object) -> int:
    async with world.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())  # type: ignore[call-overload]


async def test_thirty_concurrent_accepts_never_overfill_a_slot_of_three(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer, slots=[{"category": "웹", "capacity": 3}])
    tid = team["id"]
    applicants = await asyncio.gather(
        *(world.account(f"Member{chr(65 + i // 26)}{chr(65 + i % 26)}") for i in range(30))
    )
    applied = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=a.auth
            )
            for a in applicants
        )
    )
    assert [r.status_code for r in applied] == [201] * 30
    decisions = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/teams/{tid}/applications/{r.json()['id']}/accept", headers=leader.auth
            )
            for r in applied
        )
    )
    statuses = sorted(r.status_code for r in decisions)
    assert statuses == [200] * 3 + [409] * 27, [r.text for r in decisions if r.status_code >= 500]
    assert {r.json()["code"] for r in decisions if r.status_code == 409} == {
        "application.slot_full"
    }
    filled = await scalar(world, select(team_slots.c.filled).where(team_slots.c.team_id == tid))
    seated = await scalar(
        world,
        select(func.count())
        .select_from(team_members)
        .where(team_members.c.team_id == tid, team_members.c.role == "member"),
    )
    accepted = await scalar(
        world,
        select(func.count())
        .select_from(applications)
        .where(applications.c.team_id == tid, applications.c.status == "accepted"),
    )
    assert (filled, seated, accepted) == (3, 3, 3)


async def test_forty_members_liking_and_unliking_at_once_keep_the_count_exact(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer)
    tid = team["id"]
    fans = await asyncio.gather(
        *(world.account(f"Fan{chr(65 + i // 26)}{chr(65 + i % 26)}") for i in range(40))
    )
    rng = random.Random(7)

    async def fiddle(token_headers: dict[str, str]) -> None:
        for _ in range(4):
            method = client.put if rng.random() < 0.6 else client.delete
            response = await method(f"/api/v1/teams/{tid}/like", headers=token_headers)
            assert response.status_code == 200, response.text

    await asyncio.gather(*(fiddle(f.auth) for f in fans), *(fiddle(f.auth) for f in fans[:10]))
    rows = await scalar(
        world, select(func.count()).select_from(likes).where(likes.c.team_id == tid)
    )
    count = await scalar(world, select(teams.c.like_count).where(teams.c.id == tid))
    assert count == rows
    shown = (await client.get(f"/api/v1/teams/{tid}")).json()["like_count"]
    assert shown == rows


async def test_concurrent_duplicate_applications_leave_one_pending(world: World) -> None:
    client = world.client
    officer, leader, eager = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Eager"),
    )
    team = await open_team(world, leader, officer)
    tid = team["id"]
    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=eager.auth
            )
            for _ in range(15)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 14
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "application.duplicate"
    }
    pending = await scalar(
        world,
        select(func.count())
        .select_from(applications)
        .where(applications.c.team_id == tid, applications.c.status == "pending"),
    )
    assert pending == 1


async def test_accepting_and_withdrawing_at_once_agree(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    team = await open_team(world, leader, officer, slots=[{"category": "웹", "capacity": 10}])
    tid = team["id"]
    people = await asyncio.gather(*(world.account(f"Racer{chr(65 + i)}") for i in range(10)))
    apps = [
        (
            p,
            (
                await client.post(
                    f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=p.auth
                )
            ).json()["id"],
        )
        for p in people
    ]
    results = await asyncio.gather(
        *(
            call
            for person, app_id in apps
            for call in (
                client.post(
                    f"/api/v1/teams/{tid}/applications/{app_id}/accept", headers=leader.auth
                ),
                client.delete(f"/api/v1/applications/{app_id}", headers=person.auth),
            )
        )
    )
    assert all(r.status_code < 500 for r in results), [r.text for r in results]
    accepted = sum(1 for r in results[0::2] if r.status_code == 200)
    withdrawn = sum(1 for r in results[1::2] if r.status_code == 204)
    assert accepted + withdrawn == 10  # each application went exactly one way
    filled = await scalar(world, select(team_slots.c.filled).where(team_slots.c.team_id == tid))
    assert filled == accepted


async def test_officers_racing_on_the_same_rows_never_deadlock(world: World) -> None:
    client = world.client
    first, second = (
        await world.account("Officer", officer=True),
        await world.account("Second", officer=True),
    )
    third = await world.account("Third", officer=True)
    leader = await world.account("Leader")
    made = [(await open_team(world, leader, title=f"Race {i}"))["id"] for i in range(6)]
    approvals = await asyncio.gather(
        client.post("/api/v1/admin/teams/approve", json={"ids": made}, headers=first.auth),
        client.post("/api/v1/admin/teams/approve", json={"ids": made[::-1]}, headers=second.auth),
    )
    assert [r.status_code for r in approvals] == [200, 200], [r.text for r in approvals]
    done = approvals[0].json()["done"] + approvals[1].json()["done"]
    assert sorted(done) == sorted(made)
    demotions = await asyncio.gather(
        client.post(
            f"/api/v1/admin/members/{second.id}/role", json={"role": "member"}, headers=first.auth
        ),
        client.post(
            f"/api/v1/admin/members/{third.id}/role", json={"role": "member"}, headers=first.auth
        ),
    )
    assert [r.status_code for r in demotions] == [200, 200], [r.text for r in demotions]


async def test_expelling_a_member_while_their_application_is_accepted(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    for round_ in range(5):
        team = await open_team(
            world,
            leader,
            officer,
            title=f"Expel race {round_}",
            slots=[{"category": "웹", "capacity": 1}],
        )
        applicant = await world.account(f"Applicant{chr(65 + round_)}")
        app = (
            await client.post(
                f"/api/v1/teams/{team['id']}/applications",
                json={"category": "웹"},
                headers=applicant.auth,
            )
        ).json()
        accept, expel = await asyncio.gather(
            client.post(
                f"/api/v1/teams/{team['id']}/applications/{app['id']}/accept", headers=leader.auth
            ),
            client.post(
                "/api/v1/admin/members/expel", json={"ids": [applicant.id]}, headers=officer.auth
            ),
        )
        assert accept.status_code < 500 and expel.status_code == 200, (accept.text, expel.text)
        filled = await scalar(
            world, select(team_slots.c.filled).where(team_slots.c.team_id == team["id"])
        )
        seated = await scalar(
            world,
            select(func.count())
            .select_from(team_members)
            .where(team_members.c.team_id == team["id"], team_members.c.role == "member"),
        )
        assert filled == seated == 0  # expelled in the end, and the place freed
