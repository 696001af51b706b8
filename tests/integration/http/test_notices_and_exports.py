"""Notices for each event, the inbox, and officers' CSV exports, over HTTP on SQLite and
MariaDB."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from tests.integration.http.conftest import Account, World, bearer
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem
from tests.integration.http.test_team_building import open_team


async def kinds(world: World, who: Account) -> list[str]:
    inbox = (await world.client.get("/api/v1/notifications", headers=who.auth)).json()
    return [n["kind"] for n in inbox["items"]]


async def test_each_event_tells_exactly_the_right_people(world: World) -> None:
    client = world.client
    boss, second = (
        await world.account("Boss", officer=True),
        await world.account("Second", officer=True),
    )
    leader, applicant, other = (
        await world.account("Leader"),
        await world.account("Applicant"),
        await world.account("Other"),
    )

    # A sign-up waits: every officer hears of it.
    signed = await world.sign_in(GitHubUser(4321, "newbie"))
    done = await world.register(
        signed["access_token"],
        name="Newbie",
        student_number="202499999",
        email="newbie@pukyong.ac.kr",
    )
    newbie_id = done.json()["id"]
    assert await kinds(world, boss) == ["member.waiting"] == await kinds(world, second)
    await client.post("/api/v1/admin/members/approve", json={"ids": [newbie_id]}, headers=boss.auth)
    newbie_inbox = await client.get("/api/v1/notifications", headers=bearer(signed["access_token"]))
    assert [n["kind"] for n in newbie_inbox.json()["items"]] == ["member.approved"]
    assert await kinds(world, boss) == ["member.waiting"]  # the actor hears nothing new

    # A team waits: officers hear of it, except one who opened it themself.
    team = await open_team(world, leader)
    own = await open_team(world, boss, title="Officer's own")
    assert await kinds(world, second) == ["team.waiting", "team.waiting", "member.waiting"]
    assert await kinds(world, boss) == ["team.waiting", "member.waiting"]
    await client.post("/api/v1/admin/teams/approve", json={"ids": [team["id"]]}, headers=boss.auth)
    await client.post("/api/v1/admin/teams/reject", json={"ids": [own["id"]]}, headers=second.auth)
    assert await kinds(world, leader) == ["team.approved"]
    assert (await kinds(world, boss))[0] == "team.rejected"

    # Applying tells the leader; deciding tells the applicant, with an e-mail copy.
    url = f"/api/v1/teams/{team['id']}/applications"
    first = (await client.post(url, json={"category": "웹"}, headers=applicant.auth)).json()
    second_app = (await client.post(url, json={"category": "웹"}, headers=other.auth)).json()
    assert await kinds(world, leader) == ["application.received"] * 2 + ["team.approved"]
    assert await kinds(world, applicant) == []
    await client.post(f"{url}/{first['id']}/accept", headers=leader.auth)
    await client.post(f"{url}/{second_app['id']}/reject", headers=leader.auth)
    assert await kinds(world, applicant) == ["application.accepted"]
    assert await kinds(world, other) == ["application.rejected"]
    for _ in range(200):
        if world.mail.to(other.email):
            break
        await asyncio.sleep(0.025)
    assert "거절" in str(world.mail.to(other.email)[0]["Subject"])

    await client.post(
        f"/api/v1/teams/{team['id']}/leader", json={"member_id": applicant.id}, headers=leader.auth
    )
    assert (await kinds(world, applicant))[0] == "team.leadership_received"


async def test_the_inbox_pages_counts_and_marks_read_in_the_readers_language(world: World) -> None:
    client = world.client
    officer, member = await world.account("Officer", officer=True), await world.account("Member")
    await client.patch("/api/v1/members/me", json={"language": "en"}, headers=officer.auth)
    for index in range(5):
        await open_team(world, member, title=f"Team {index}")
    inbox = (
        await client.get("/api/v1/notifications", params={"limit": 2}, headers=officer.auth)
    ).json()
    assert inbox["unread_count"] == 5 and len(inbox["items"]) == 2
    assert inbox["items"][0]["text"] == "The team Team 4 is waiting for approval."
    assert inbox["items"][0]["read"] is False
    rest = (
        await client.get(
            "/api/v1/notifications",
            params={"cursor": inbox["next_cursor"], "limit": 10},
            headers=officer.auth,
        )
    ).json()
    assert [n["payload"]["team"] for n in rest["items"]] == ["Team 2", "Team 1", "Team 0"]
    assert rest["next_cursor"] is None

    marked = await client.post(
        "/api/v1/notifications/read", json={"ids": [inbox["items"][0]["id"]]}, headers=officer.auth
    )
    assert marked.json() == {"unread_count": 4}
    unread = (
        await client.get("/api/v1/notifications", params={"unread": True}, headers=officer.auth)
    ).json()
    assert len(unread["items"]) == 4
    # Someone else's notice ids change nothing.
    others = await client.post(
        "/api/v1/notifications/read",
        json={"ids": [n["id"] for n in rest["items"]]},
        headers=member.auth,
    )
    assert others.json() == {"unread_count": 0}
    assert (await client.post("/api/v1/notifications/read", headers=officer.auth)).json() == {
        "unread_count": 0
    }
    assert_problem(await client.get("/api/v1/notifications"), 401, "auth.required")
    assert_problem(
        await client.get("/api/v1/notifications", params={"cursor": "bad!"}, headers=officer.auth),
        400,
        "request.invalid",
    )


def parse_csv(body: bytes) -> list[dict[str, Any]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def test_officers_export_the_terms_csvs(world: World) -> None:
    client = world.client
    officer, leader, applicant = (
        await world.account("Officer", officer=True),
        await world.account("리더"),
        await world.account("지원자"),
    )
    team = await open_team(world, leader, officer, title="=HYPERLINK(evil)")
    await open_team(world, leader, officer, title="게임 만들기 🎮")
    await client.post(
        f"/api/v1/teams/{team['id']}/applications",
        json={"category": "웹", "message": "안녕하세요, 열심히 하겠습니다"},
        headers=applicant.auth,
    )
    term = team["term"]

    teams_csv = await client.get(
        "/api/v1/admin/exports/teams.csv", params={"term": term}, headers=officer.auth
    )
    assert teams_csv.status_code == 200
    assert teams_csv.headers["content-type"].startswith("text/csv")
    assert f"wap-teams-{term}.csv" in teams_csv.headers["content-disposition"]
    rows = parse_csv(teams_csv.content)
    assert [r["팀 이름"] for r in rows] == ["'=HYPERLINK(evil)", "게임 만들기 🎮"]  # no formula
    assert rows[0]["팀장"] == "리더" and rows[0]["모집 인원"] == "3"
    assert rows[0]["상태"] == "모집 중"

    apps = parse_csv(
        (await client.get("/api/v1/admin/exports/applications.csv", headers=officer.auth)).content
    )
    assert [(a["지원자"], a["상태"], a["한마디"]) for a in apps] == [
        ("지원자", "지원 대기", "안녕하세요, 열심히 하겠습니다")
    ]
    english = {**officer.auth, "Accept-Language": "en"}
    apps_en = parse_csv(
        (await client.get("/api/v1/admin/exports/applications.csv", headers=english)).content
    )
    assert [(a["applicant_name"], a["status"]) for a in apps_en] == [("지원자", "Pending")]
    roster = parse_csv(
        (await client.get("/api/v1/admin/exports/members.csv", headers=officer.auth)).content
    )
    assert {r["이름"] for r in roster} >= {"Officer", "리더", "지원자"}
    assert {r["역할"] for r in roster} == {"운영진", "회원"}
    roster_en = parse_csv(
        (
            await client.get(
                "/api/v1/admin/exports/members.csv", params={"lang": "en"}, headers=officer.auth
            )
        ).content
    )
    assert {r["name"] for r in roster_en} >= {"Officer", "리더", "지원자"}
    assert {r["role"] for r in roster_en} == {"Officer", "Member"}
    in_term = parse_csv(
        (
            await client.get(
                "/api/v1/admin/exports/members.csv", params={"term": term}, headers=officer.auth
            )
        ).content
    )
    assert {r["이름"] for r in in_term} == {"리더"}
    empty = parse_csv(
        (
            await client.get(
                "/api/v1/admin/exports/teams.csv", params={"term": "2001-1"}, headers=officer.auth
            )
        ).content
    )
    assert empty == []

    assert_problem(
        await client.get("/api/v1/admin/exports/teams.csv", headers=leader.auth),
        403,
        "permission.officer_only",
    )
    assert_problem(
        await client.get("/api/v1/admin/exports/secrets.csv", headers=officer.auth),
        404,
        "request.not_found",
    )
    assert_problem(
        await client.get(
            "/api/v1/admin/exports/teams.csv", params={"term": "20x1"}, headers=officer.auth
        ),
        400,
        "request.invalid",
    )
