"""The inbox page: each notice is a link to its subject, opening it marks it read (only the
owner's; another member's is 404), and a withdraw followed by a re-apply tells the leader once."""

from __future__ import annotations

import re

import httpx

from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import landed
from tests.integration.http.test_web_sessions import browser


async def received(world: World, leader: Account) -> list[dict[str, object]]:
    inbox = (await world.client.get("/api/v1/notifications", headers=leader.auth)).json()
    return [n for n in inbox["items"] if n["kind"] == "application.received"]


async def test_a_re_apply_tells_the_leader_once_and_the_notice_opens_its_team(
    world: World,
) -> None:
    officer, leader, applicant = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Applicant"),
    )
    team = await open_team(world, leader, officer)
    applications = f"/api/v1/teams/{team['id']}/applications"
    first = await world.client.post(applications, json={"category": "웹"}, headers=applicant.auth)
    assert first.status_code == 201, first.text
    withdrawn = await world.client.delete(
        f"/api/v1/applications/{first.json()['id']}", headers=applicant.auth
    )
    assert withdrawn.status_code == 204, withdrawn.text
    again = await world.client.post(applications, json={"category": "웹"}, headers=applicant.auth)
    assert again.status_code == 201, again.text
    notices = await received(world, leader)
    assert len(notices) == 1 and notices[0]["payload"]["application_id"] == first.json()["id"]

    notice_id = notices[0]["id"]
    async with browser(world, applicant.github) as stranger:
        assert (await stranger.get(f"/notifications/{notice_id}")).status_code == 404
    assert not (await received(world, leader))[0]["read"]
    async with browser(world, leader.github) as client:
        inbox = await client.get("/notifications")
        assert re.search(rf'<a href="/notifications/{notice_id}">[^<]*지원했습니다', inbox.text)
        for _ in range(2):  # idempotent: the same place, still read
            assert landed(await client.get(f"/notifications/{notice_id}")) == (
                f"/teams/{team['id']}",
                {},
            )
            assert (await received(world, leader))[0]["read"]
        assert (await client.get("/notifications/424242")).status_code == 404
    async with httpx.AsyncClient(base_url=str(world.client.base_url)) as anonymous:
        assert landed(await anonymous.get(f"/notifications/{notice_id}")) == ("/login", {})
