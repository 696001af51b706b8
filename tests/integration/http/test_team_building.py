"""Team building over real HTTP on SQLite and MariaDB: teams, slots, applications, members,
likes, profiles and images — every endpoint and code of SPEC §2 for this area."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image

from tests.integration.http.conftest import Account, World
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem

SLOTS = [{"category": "웹", "capacity": 2}, {"category": "UI/UX 디자인", "capacity": 1}]


async def open_team(
    world: World, leader: Account, officer: Account | None = None, **fields: Any
) -> dict[str, Any]:
    body = {
        "title": "WAP 게시판",
        "genre": "웹",
        "description": "동아리 게시판을 함께 만들 사람!",
        "slots": SLOTS,
        "links": ["https://github.com/wap/board"],
    } | fields
    created = await world.client.post("/api/v1/teams", json=body, headers=leader.auth)
    assert created.status_code == 201, created.text
    team = dict(created.json())
    if officer is not None:
        approved = await world.client.post(
            "/api/v1/admin/teams/approve", json={"ids": [team["id"]]}, headers=officer.auth
        )
        assert approved.json()["done"] == [team["id"]], approved.text
    return team


async def mails_to(world: World, address: str, count: int) -> list[str]:
    for _ in range(200):
        found = world.mail.to(address)
        if len(found) >= count:
            return [str(m["Subject"]) for m in found]
        await asyncio.sleep(0.025)
    raise AssertionError(f"{address} got {len(world.mail.to(address))} mails, not {count}")


async def test_the_whole_journey_of_a_team(world: World) -> None:
    client = world.client
    officer = await world.account("Officer", officer=True)
    leader = await world.account("Leader")
    applicant = await world.account("Applicant")

    team = await open_team(world, leader)
    tid = team["id"]
    assert team["status"] == "pending" and team["leader"]["name"] == "Leader"
    # A pending team: only its leader and officers know it exists.
    assert_problem(
        await client.get(f"/api/v1/teams/{tid}", headers=applicant.auth), 404, "team.not_found"
    )
    assert (await client.get(f"/api/v1/teams/{tid}", headers=leader.auth)).status_code == 200
    assert (await client.get("/api/v1/teams")).json()["items"] == []
    assert_problem(
        await client.post(
            f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=applicant.auth
        ),
        404,
        "team.not_found",
    )

    waiting = await client.get("/api/v1/admin/teams", headers=officer.auth)
    assert [t["id"] for t in waiting.json()["items"]] == [tid] and waiting.json()["total"] == 1
    approved = await client.post(
        "/api/v1/admin/teams/approve", json={"ids": [tid, tid + 999]}, headers=officer.auth
    )
    assert approved.json() == {
        "done": [tid],
        "skipped": [{"id": tid + 999, "code": "team.not_found"}],
    }
    again = await client.post(
        "/api/v1/admin/teams/approve", json={"ids": [tid]}, headers=officer.auth
    )
    assert again.json()["skipped"] == [{"id": tid, "code": "team.not_pending"}]

    board = (await client.get("/api/v1/teams")).json()
    assert [t["id"] for t in board["items"]] == [tid] and board["next_cursor"] is None
    assert board["items"][0]["liked"] is False and board["items"][0]["slots"][0]["filled"] == 0

    applied = await client.post(
        f"/api/v1/teams/{tid}/applications",
        json={"category": "웹", "message": "프론트 해보고 싶어요"},
        headers=applicant.auth,
    )
    assert applied.status_code == 201
    application = applied.json()
    assert application["status"] == "pending" and application["team"]["id"] == tid
    inbox = await client.get(f"/api/v1/teams/{tid}/applications", headers=leader.auth)
    assert [(a["id"], a["applicant"]["id"]) for a in inbox.json()] == [
        (application["id"], applicant.id)
    ]
    assert_problem(
        await client.get(f"/api/v1/teams/{tid}/applications", headers=applicant.auth),
        403,
        "permission.leader_only",
    )

    accepted = await client.post(
        f"/api/v1/teams/{tid}/applications/{application['id']}/accept", headers=leader.auth
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    subjects = await mails_to(world, applicant.email, 1)
    assert subjects == ["[WAP] WAP 게시판 팀 지원이 수락되었습니다. 환영합니다!"]

    people = (await client.get(f"/api/v1/teams/{tid}/members")).json()
    assert [(p["member"]["id"], p["role"], p["category"]) for p in people] == [
        (leader.id, "leader", None),
        (applicant.id, "member", "웹"),
    ]
    detail = (await client.get(f"/api/v1/teams/{tid}")).json()
    assert {s["category"]: s["filled"] for s in detail["slots"]} == {"웹": 1, "UI/UX 디자인": 0}
    theirs = (await client.get(f"/api/v1/members/{applicant.id}/teams")).json()
    assert [t["id"] for t in theirs] == [tid]
    mine = (await client.get("/api/v1/members/me/applications", headers=applicant.auth)).json()
    assert [(a["id"], a["status"]) for a in mine] == [(application["id"], "accepted")]

    liked = await client.put(f"/api/v1/teams/{tid}/like", headers=applicant.auth)
    assert liked.json() == {"liked": True, "like_count": 1}
    assert (await client.put(f"/api/v1/teams/{tid}/like", headers=applicant.auth)).json() == {
        "liked": True,
        "like_count": 1,
    }
    seen = (await client.get("/api/v1/teams", headers=applicant.auth)).json()["items"][0]
    assert seen["liked"] is True and seen["like_count"] == 1
    assert (await client.get(f"/api/v1/teams/{tid}", headers=applicant.auth)).json()[
        "liked"
    ] is True
    likes = (await client.get("/api/v1/members/me/likes", headers=applicant.auth)).json()
    assert [t["id"] for t in likes] == [tid]

    completed = await client.post(f"/api/v1/teams/{tid}/complete", headers=leader.auth)
    assert completed.json()["status"] == "completed"
    assert (await client.get("/api/v1/teams")).json()["items"] == []
    done = (await client.get("/api/v1/teams", params={"status": "completed"})).json()
    assert [t["id"] for t in done["items"]] == [tid]
    assert_problem(
        await client.post(
            f"/api/v1/teams/{tid}/applications",
            json={"category": "UI/UX 디자인"},
            headers=(await world.account("Late")).auth,
        ),
        409,
        "team.not_recruiting",
    )
    unliked = await client.delete(f"/api/v1/teams/{tid}/like", headers=applicant.auth)
    assert unliked.status_code == 200 and unliked.json() == {"liked": False, "like_count": 0}


async def test_the_rules_of_applying_and_deciding(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    a, b, c = await world.account("Ann"), await world.account("Ben"), await world.account("Cat")
    team = await open_team(world, leader, officer, slots=[{"category": "웹", "capacity": 1}])
    tid = team["id"]
    apply = f"/api/v1/teams/{tid}/applications"

    assert_problem(
        await client.post(apply, json={"category": "웹"}, headers=leader.auth),
        409,
        "application.own_team",
    )
    assert_problem(
        await client.post(apply, json={"category": "유니티"}, headers=a.auth),
        400,
        "team.category_invalid",
    )
    assert_problem(
        await client.post(apply, json={"category": "웹", "message": "가" * 201}, headers=a.auth),
        400,
        "request.invalid",
    )
    first = (await client.post(apply, json={"category": "웹"}, headers=a.auth)).json()
    assert_problem(
        await client.post(apply, json={"category": "웹"}, headers=a.auth),
        409,
        "application.duplicate",
    )
    second = (await client.post(apply, json={"category": "웹"}, headers=b.auth)).json()
    third = (await client.post(apply, json={"category": "웹"}, headers=c.auth)).json()

    accept = f"{apply}/{{}}/accept"
    assert (await client.post(accept.format(first["id"]), headers=leader.auth)).status_code == 200
    assert_problem(
        await client.post(accept.format(first["id"]), headers=leader.auth),
        409,
        "application.not_pending",
    )
    assert_problem(
        await client.post(accept.format(second["id"]), headers=leader.auth),
        409,
        "application.slot_full",
    )
    assert_problem(
        await client.post(accept.format(second["id"]), headers=a.auth),
        403,
        "permission.leader_only",
    )
    assert_problem(
        await client.post(accept.format(99999), headers=leader.auth), 404, "application.not_found"
    )
    assert_problem(
        await client.post(apply, json={"category": "웹"}, headers=a.auth),
        409,
        "application.already_member",
    )
    assert_problem(
        await client.post(
            apply, json={"category": "웹"}, headers=(await world.account("Dan")).auth
        ),
        409,
        "application.slot_full",
    )

    rejected = await client.post(f"{apply}/{second['id']}/reject", headers=leader.auth)
    assert rejected.json()["status"] == "rejected"
    await mails_to(world, b.email, 1)
    # Withdrawing: only one's own, only while pending.
    assert_problem(
        await client.delete(f"/api/v1/applications/{third['id']}", headers=b.auth),
        404,
        "application.not_found",
    )
    withdrawn = await client.delete(f"/api/v1/applications/{third['id']}", headers=c.auth)
    assert withdrawn.status_code == 204
    assert_problem(
        await client.delete(f"/api/v1/applications/{third['id']}", headers=c.auth),
        409,
        "application.not_pending",
    )
    everything = await client.get(f"{apply}?status=rejected", headers=leader.auth)
    assert [x["id"] for x in everything.json()] == [second["id"]]

    # Leaving, removing, handing over.
    members_url = f"/api/v1/teams/{tid}/members"
    assert_problem(
        await client.delete(f"{members_url}/{leader.id}", headers=leader.auth),
        409,
        "team.leader_cannot_leave",
    )
    assert_problem(
        await client.delete(f"{members_url}/{b.id}", headers=leader.auth), 404, "team.not_member"
    )
    assert_problem(
        await client.delete(f"{members_url}/{a.id}", headers=b.auth), 403, "permission.owner_only"
    )
    handed = await client.post(
        f"/api/v1/teams/{tid}/leader", json={"member_id": a.id}, headers=leader.auth
    )
    assert handed.status_code == 200 and handed.json()["leader_id"] == a.id
    roles = {
        p["member"]["id"]: (p["role"], p["category"])
        for p in (await client.get(members_url)).json()
    }
    assert roles == {a.id: ("leader", None), leader.id: ("member", "웹")}
    assert_problem(
        await client.post(f"/api/v1/teams/{tid}/leader", json={"member_id": c.id}, headers=a.auth),
        404,
        "team.not_member",
    )
    left = await client.delete(f"{members_url}/{leader.id}", headers=leader.auth)
    assert left.status_code == 204
    slots = (await client.get(f"/api/v1/teams/{tid}")).json()["slots"]
    assert slots == [{"category": "웹", "capacity": 1, "filled": 0}]


async def test_editing_a_team_and_its_slots(world: World) -> None:
    client = world.client
    officer, leader, member = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Member"),
    )
    team = await open_team(world, leader, officer)
    tid = team["id"]
    other = await open_team(world, leader, title="Other Team")
    app = (
        await client.post(
            f"/api/v1/teams/{tid}/applications", json={"category": "웹"}, headers=member.auth
        )
    ).json()
    await client.post(f"/api/v1/teams/{tid}/applications/{app['id']}/accept", headers=leader.auth)
    url = f"/api/v1/teams/{tid}"

    edited = await client.patch(
        url, json={"description": "새 설명", "links": []}, headers=leader.auth
    )
    assert edited.status_code == 200
    assert (edited.json()["description"], edited.json()["links"], edited.json()["title"]) == (
        "새 설명",
        [],
        "WAP 게시판",
    )
    assert_problem(
        await client.patch(
            url, json={"slots": [{"category": "UI/UX 디자인", "capacity": 1}]}, headers=leader.auth
        ),
        409,
        "team.slot_in_use",
    )
    assert_problem(
        await client.patch(
            url, json={"slots": [{"category": "웹", "capacity": 0}]}, headers=leader.auth
        ),
        400,
        "team.capacity_invalid",
    )
    grown = await client.patch(
        url,
        json={
            "slots": [{"category": "웹", "capacity": 5}, {"category": "게임 기획", "capacity": 2}]
        },
        headers=leader.auth,
    )
    assert {s["category"]: (s["capacity"], s["filled"]) for s in grown.json()["slots"]} == {
        "웹": (5, 1),
        "게임 기획": (2, 0),
    }
    assert_problem(
        await client.patch(url, json={"title": "other team"}, headers=leader.auth),
        409,
        "team.title_taken",
    )
    assert_problem(
        await client.patch(url, json={"title": ""}, headers=leader.auth), 400, "team.title_invalid"
    )
    assert_problem(
        await client.patch(url, json={"genre": "영화"}, headers=leader.auth),
        400,
        "team.genre_invalid",
    )
    assert_problem(
        await client.patch(url, json={"description": ""}, headers=leader.auth),
        400,
        "team.description_invalid",
    )
    assert_problem(
        await client.patch(url, json={"description": "x"}, headers=member.auth),
        403,
        "permission.leader_only",
    )
    assert_problem(
        await client.patch(url, json={"recruit_until": "2099-01-01T00:00:00"}, headers=leader.auth),
        400,
        "request.invalid",
    )
    assert_problem(
        await client.patch(
            url, json={"recruit_until": "2001-01-01T00:00:00Z"}, headers=leader.auth
        ),
        400,
        "request.invalid",
    )
    for far in ("9999-12-31T23:00:00-05:00", "2200-01-01T00:00:00Z"):  # within a year only
        assert_problem(
            await client.patch(url, json={"recruit_until": far}, headers=leader.auth),
            400,
            "request.invalid",
        )
    soon = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    seoul = soon.astimezone(timezone(timedelta(hours=9))).isoformat()
    deadline = await client.patch(url, json={"recruit_until": seoul}, headers=leader.auth)
    assert deadline.json()["recruit_until"].startswith(soon.strftime("%Y-%m-%dT%H:%M:%S"))
    assert_problem(
        await client.patch(url, json={"bogus": 1}, headers=leader.auth), 400, "request.invalid"
    )

    # Deleting: not the member's to do; the leader's (and an officer's) is.
    assert_problem(
        await client.delete(f"/api/v1/teams/{other['id']}", headers=member.auth),
        404,
        "team.not_found",
    )
    assert (
        await client.delete(f"/api/v1/teams/{other['id']}", headers=leader.auth)
    ).status_code == 204
    assert (await client.delete(url, headers=officer.auth)).status_code == 204
    assert_problem(await client.get(url), 404, "team.not_found")


async def test_creating_a_team_refuses_bad_fields(world: World) -> None:
    client = world.client
    leader = await world.account("Leader")
    await open_team(world, leader)
    cases = [
        ({"title": "wap 게시판"}, 409, "team.title_taken"),
        ({"title": "x" * 31}, 400, "team.title_invalid"),
        ({"genre": "movie"}, 400, "team.genre_invalid"),
        ({"description": " "}, 400, "team.description_invalid"),
        ({"slots": [{"category": "요리", "capacity": 1}]}, 400, "team.category_invalid"),
        ({"slots": [{"category": "웹", "capacity": 11}]}, 400, "team.capacity_invalid"),
        (
            {"slots": [{"category": "웹", "capacity": 1}, {"category": "웹", "capacity": 2}]},
            400,
            "team.category_invalid",
        ),
        ({"slots": []}, 400, "request.invalid"),
        ({"links": ["javascript:alert(1)"]}, 400, "request.invalid"),
        ({"title": 5}, 400, "request.invalid"),
    ]
    base = {"title": "New", "genre": "앱", "description": "d", "slots": SLOTS}
    for change, status, code in cases:
        response = await client.post("/api/v1/teams", json=base | change, headers=leader.auth)
        assert_problem(response, status, code)
    waiting = await world.sign_in(GitHubUser(424242, "newcomer"))
    assert_problem(
        await client.post(
            "/api/v1/teams",
            json=base,
            headers={"Authorization": f"Bearer {waiting['access_token']}"},
        ),
        403,
        "member.not_approved",
    )
    assert_problem(await client.post("/api/v1/teams", json=base), 401, "auth.required")


async def test_the_board_pages_and_filters(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    made = []
    for index in range(5):
        made.append(
            await open_team(
                world,
                leader,
                officer,
                title=f"팀 {index}",
                genre="게임" if index % 2 else "웹",
                slots=[{"category": "유니티" if index == 3 else "웹", "capacity": 1}],
                description="찾는 키워드 100%" if index == 4 else "설명",
            )
        )
    first = (await client.get("/api/v1/teams", params={"limit": 2})).json()
    assert [t["title"] for t in first["items"]] == ["팀 4", "팀 3"]
    second = (
        await client.get("/api/v1/teams", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get("/api/v1/teams", params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()
    assert [t["title"] for t in second["items"] + third["items"]] == ["팀 2", "팀 1", "팀 0"]
    assert third["next_cursor"] is None
    games = (await client.get("/api/v1/teams", params={"genre": "게임"})).json()
    assert [t["title"] for t in games["items"]] == ["팀 3", "팀 1"]
    unity = (await client.get("/api/v1/teams", params={"category": "유니티"})).json()
    assert [t["title"] for t in unity["items"]] == ["팀 3"]
    found = (await client.get("/api/v1/teams", params={"q": "100%"})).json()
    assert [t["title"] for t in found["items"]] == ["팀 4"]
    none = (await client.get("/api/v1/teams", params={"q": "%"})).json()
    assert [t["title"] for t in none["items"]] == ["팀 4"]  # % is literal, not a wildcard
    other_term = (await client.get("/api/v1/teams", params={"term": "2001-1"})).json()
    assert other_term["items"] == []
    for params, code in (
        ({"genre": "movie"}, "team.genre_invalid"),
        ({"category": "요리"}, "team.category_invalid"),
        ({"cursor": "garbage!"}, "request.invalid"),
        ({"cursor": "dMKy"}, "request.invalid"),  # "t²": a digit to str.isdigit, not to int
        ({"limit": 0}, "request.invalid"),
        ({"limit": 51}, "request.invalid"),
        ({"status": "pending"}, "request.invalid"),
        ({"term": "2026-3"}, "request.invalid"),
    ):
        assert_problem(await client.get("/api/v1/teams", params=params), 400, code)


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 220)).save(out, "PNG")
    return out.getvalue()


async def test_team_images_and_avatars(world: World) -> None:
    client = world.client
    leader, other = await world.account("Leader"), await world.account("Other")
    team = await open_team(world, leader, await world.account("Officer", officer=True))
    url = f"/api/v1/teams/{team['id']}/image"
    uploaded = await client.put(
        url, files={"image": ("board.png", png(), "image/png")}, headers=leader.auth
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    for key, size in (("image_url", (800, 600)), ("image_thumbnail_url", (320, 180))):
        served = await client.get(body[key])
        assert served.status_code == 200
        with Image.open(io.BytesIO(served.content)) as image:
            assert image.size == size and image.format == "WEBP"
    assert_problem(
        await client.put(url, files={"image": ("x.png", png(), "image/png")}, headers=other.auth),
        403,
        "permission.leader_only",
    )
    lying = await client.put(
        url, files={"image": ("x.png", b"<?php echo 1; ?>", "image/png")}, headers=leader.auth
    )
    assert_problem(lying, 400, "image.invalid")
    huge = await client.put(
        url,
        files={"image": ("x.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), "image/png")},
        headers=leader.auth,
    )
    assert_problem(huge, 413, "image.too_large")
    missing = await client.put(
        url, files={"other": ("x.png", png(), "image/png")}, headers=leader.auth
    )
    assert_problem(missing, 400, "request.invalid")

    avatar = await client.put(
        "/api/v1/members/me/avatar",
        files={"image": ("me.png", png(300, 300), "image/png")},
        headers=other.auth,
    )
    assert avatar.status_code == 200
    profile = (await client.get(f"/api/v1/members/{other.id}")).json()
    assert profile["avatar_url"] == avatar.json()["avatar_url"]
    assert (await client.get(profile["avatar_thumbnail_url"])).status_code == 200


async def test_profiles(world: World) -> None:
    client = world.client
    me = await world.account("Profile")
    updated = await client.patch(
        "/api/v1/members/me",
        json={
            "bio": "안녕하세요 👋",
            "position": "디자이너",
            "tech_stack": ["Figma", "figma", "Blender"],
            "links": ["https://dribbble.com/me"],
            "notify_email": False,
            "language": "en",
        },
        headers=me.auth,
    )
    assert updated.status_code == 200
    body = updated.json()
    assert (body["bio"], body["position"], body["tech_stack"]) == (
        "안녕하세요 👋",
        "디자이너",
        ["Figma", "Blender"],
    )
    assert (body["notify_email"], body["language"]) == (False, "en")
    public = (await client.get(f"/api/v1/members/{me.id}")).json()
    assert public["bio"] == "안녕하세요 👋" and "notify_email" not in public
    for change, code in (
        ({"position": "CEO"}, "member.position_invalid"),
        ({"bio": "가" * 501}, "request.invalid"),
        ({"tech_stack": ["x" * 31]}, "request.invalid"),
        ({"links": ["ftp://x"]}, "request.invalid"),
        ({"language": "fr"}, "request.invalid"),
        ({"name": "Renamed"}, "request.invalid"),
    ):
        assert_problem(
            await client.patch("/api/v1/members/me", json=change, headers=me.auth), 400, code
        )
    assert (await client.get(f"/api/v1/members/{me.id}/teams")).json() == []
    assert_problem(await client.get("/api/v1/members/999999/teams"), 404, "member.not_found")


async def test_lists_take_a_constant_number_of_queries(world: World) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    client = world.client
    officer, leader, fan = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Fan"),
    )
    for index in range(12):
        team = await open_team(world, leader, officer, title=f"Team {index}")
        await client.put(f"/api/v1/teams/{team['id']}/like", headers=fan.auth)

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    async def queries_for(path: str, **params: Any) -> int:
        statements.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            response = await client.get(path, params=params, headers=fan.auth)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    small, large = (
        await queries_for("/api/v1/teams", limit=2),
        await queries_for("/api/v1/teams", limit=12),
    )
    assert small == large, (small, large)
    # The other lists are built the same way: a fixed handful of queries for 12 teams.
    assert await queries_for("/api/v1/members/me/likes") <= large
    assert await queries_for(f"/api/v1/members/{leader.id}/teams") <= large + 1
