"""The matching round's web pages with forms only (no JavaScript): an officer opens a round,
a leader offers the team's places and ranks, a member adds and reorders choices with the up/down
buttons, the officer closes, previews, removes a pair and publishes, and the member's inbox has
the notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.integration.http.conftest import World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import kst_local, landed, post_form
from tests.integration.http.test_web_sessions import browser

SAVED = ("/rounds", {"notice": "saved"})


async def add_choice(client: httpx.AsyncClient, rid: int, slot: str) -> httpx.Response:
    """The member's "자리 추가" form on /rounds: ``slot`` is ``team_id:category``."""
    return await post_form(
        client, f"/rounds/{rid}/choices", {"action": "add", "slot": slot}, "/rounds"
    )


async def test_a_round_through_the_pages_without_javascript(world: World) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    member = await world.account("Member")
    team = await open_team(
        world,
        leader,
        officer,
        slots=[{"category": "웹", "capacity": 1}, {"category": "IOS", "capacity": 1}],
    )
    tid = team["id"]
    deadline = kst_local(datetime.now(UTC) + timedelta(days=1))
    async with browser(world, officer.github) as boss:
        page = await boss.get("/rounds")
        assert "이번 학기에 열린 매칭 라운드가 없습니다" in page.text
        bad = await post_form(boss, "/rounds", {"deadline": "어제"}, page="/rounds")
        assert landed(bad) == ("/rounds", {"error": "request.invalid"})
        opened = await post_form(
            boss, "/rounds", {"deadline": deadline, "max_choices": "2"}, page="/rounds"
        )
        assert landed(opened) == ("/rounds", {"notice": "saved"})
    rid = (await world.client.get("/api/v1/rounds/current")).json()["id"]
    async with browser(world, leader.github) as lead:
        page = await lead.get("/rounds")
        assert "남은 자리로 참여" in page.text
        joined = await post_form(lead, f"/rounds/{rid}/teams/{tid}/opt", {"in": "yes"}, "/rounds")
        assert landed(joined) == ("/rounds", {"notice": "saved"})
    async with browser(world, member.github) as client:
        for slot in (f"{tid}:웹", f"{tid}:IOS"):
            assert landed(await add_choice(client, rid, slot)) == SAVED
        too_many = await add_choice(client, rid, f"{tid}:웹")
        assert landed(too_many)[1]["error"] in ("round.too_many_choices", "round.choice_invalid")
        moved = await post_form(
            client, f"/rounds/{rid}/choices", {"action": "down", "index": "0"}, "/rounds"
        )
        assert landed(moved) == ("/rounds", {"notice": "saved"})
        mine = (await client.get(f"/api/v1/rounds/{rid}/choices/me")).json()
        assert [c["category"] for c in mine["choices"]] == ["IOS", "웹"]
        page = await client.get("/rounds")
        assert page.text.index("IOS") < page.text.index("· 웹")
    async with browser(world, leader.github) as lead:
        ranking = await lead.get(f"/rounds/{rid}/teams/{tid}")
        assert "Member" in ranking.text
    async with browser(world, officer.github) as boss:
        ran = await post_form(boss, f"/rounds/{rid}/run", page="/rounds")
        assert landed(ran) == (f"/rounds/{rid}/preview", {"notice": "done"})
        preview = await boss.get(f"/rounds/{rid}/preview")
        assert "1지망 1명" in preview.text
        removed = await post_form(
            boss,
            f"/rounds/{rid}/adjust",
            {"member_id": str(member.id), "slot": f"{tid}:IOS", "action": "remove"},
            f"/rounds/{rid}/preview",
        )
        assert landed(removed) == (f"/rounds/{rid}/preview", {"notice": "saved"})
        preview = await boss.get(f"/rounds/{rid}/preview")
        assert "2지망 1명" in preview.text
        # Adjustments name people and teams, never raw numbers: the removed pair by name,
        # and the pin form's choices are the round's members and its teams' slots.
        title = team["title"]
        assert f'<span class="name">Member</span> · {title} · IOS' in preview.text
        assert f'<option value="{member.id}">Member</option>' in preview.text
        for category in ("IOS", "웹"):
            assert f'<option value="{tid}:{category}">{title} · {category}</option>' in preview.text
        published = await post_form(boss, f"/rounds/{rid}/publish", page=f"/rounds/{rid}/preview")
        assert landed(published) == (f"/rounds/{rid}/preview", {"notice": "done"})
        assert "결과가 발표되었습니다" in (await boss.get(f"/rounds/{rid}/preview")).text
        again = await post_form(boss, f"/rounds/{rid}/publish", page="/rounds")
        assert landed(again) == (f"/rounds/{rid}/preview", {"error": "round.published"})
    async with browser(world, member.github) as client:
        inbox = await client.get("/notifications")
        assert "매칭 라운드 결과" in inbox.text and "웹 자리에 배정되었습니다" in inbox.text
        page = await client.get("/rounds")
        assert "배정되었습니다:" in page.text and "(2지망)" in page.text


async def test_a_choice_whose_team_leaves_shows_closed_and_blocks_nothing(world: World) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    other_leader, member = await world.account("Other"), await world.account("Member")
    team = await open_team(world, leader, officer, slots=[{"category": "웹", "capacity": 1}])
    other = await open_team(
        world, other_leader, officer, title="WAP 앱", slots=[{"category": "IOS", "capacity": 1}]
    )
    deadline = kst_local(datetime.now(UTC) + timedelta(days=1))
    async with browser(world, officer.github) as boss:
        await post_form(boss, "/rounds", {"deadline": deadline, "max_choices": "1"}, "/rounds")
    rid = (await world.client.get("/api/v1/rounds/current")).json()["id"]
    for who, tid in ((leader, team["id"]), (other_leader, other["id"])):
        async with browser(world, who.github) as lead:
            await post_form(lead, f"/rounds/{rid}/teams/{tid}/opt", {"in": "yes"}, "/rounds")
    async with browser(world, member.github) as client:
        assert landed(await add_choice(client, rid, f"{team['id']}:웹")) == SAVED
    async with browser(world, leader.github) as lead:
        await post_form(lead, f"/rounds/{rid}/teams/{team['id']}/opt", {"in": "no"}, "/rounds")
    async with browser(world, member.github) as client:
        page = await client.get("/rounds")
        assert "마감됨: 다음 저장 때 빠집니다" in page.text
        # The list is full (one choice) but that one closed: the add form is offered, and
        # adding the other team's slot saves, dropping the closed choice.
        assert 'name="slot"' in page.text
        assert landed(await add_choice(client, rid, f"{other['id']}:IOS")) == SAVED
        mine = (await client.get(f"/api/v1/rounds/{rid}/choices/me")).json()
        assert [(c["team_id"], c["category"], c["open"]) for c in mine["choices"]] == [
            (other["id"], "IOS", True)
        ]
