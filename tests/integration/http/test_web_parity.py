"""The pages at parity with the API: every action a role has through the API is reachable
from the pages, with the same rules and codes, and ends with a success message."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_sessions import browser, form_csrf, origin_of
from wap.domain.terms import KST


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None, page: str = "/"
) -> httpx.Response:
    """A form posted as the page would: its CSRF token, from this site's origin."""
    token = form_csrf(await client.get(page))
    return await client.post(path, data={"csrf": token, **(data or {})}, headers=origin_of(client))


def landed(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """Where a 303 leads, and its query (``notice`` or ``error``)."""
    assert response.status_code == 303, response.text
    where = urlsplit(response.headers["location"])
    return where.path, {k: v[0] for k, v in parse_qs(where.query).items()}


def kst_local(moment: datetime) -> str:
    return moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M")


def new_team_form(**fields: str) -> dict[str, str]:
    return {
        "title": "마감 있는 팀",
        "genre": "웹",
        "description": "마감을 정한다",
        "slots": "웹: 2",
        "links": "",
    } | fields


async def test_a_deadline_is_set_in_kst_on_create_and_edit(world: World) -> None:
    leader = await world.account("Leader")
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    async with browser(world, leader.github) as client:
        created = await post_form(
            client, "/teams/new", new_team_form(recruit_until=kst_local(deadline)), "/teams/new"
        )
        path, query = landed(created)
        assert query == {"notice": "created"}
        team_id = int(path.rsplit("/", 1)[1])
        api = await world.client.get(f"/api/v1/teams/{team_id}", headers=leader.auth)
        assert datetime.fromisoformat(api.json()["recruit_until"]) == deadline
        edit_page = await client.get(f"/teams/{team_id}/edit")
        assert f'value="{kst_local(deadline)}"' in edit_page.text
        # Unreadable, or in the past: refused on the field with the API's code and message.
        for bad in ("tomorrow", "2001-01-01T00:00"):
            refused = await post_form(
                client,
                f"/teams/{team_id}/edit",
                new_team_form(recruit_until=bad, recruit_until_was=kst_local(deadline)),
                f"/teams/{team_id}/edit",
            )
            assert refused.status_code == 200, bad
            assert 'class="field-error"' in refused.text and bad in refused.text
            api_refused = await world.client.post(
                "/api/v1/teams",
                json={
                    "title": "x",
                    "genre": "웹",
                    "description": "x",
                    "slots": [],
                    "recruit_until": bad,
                },
                headers=leader.auth,
            )
            assert api_refused.json()["code"] == "request.invalid"
        # Left as shown, the deadline is kept; changed, it moves; emptied, it is cleared.
        later = deadline + timedelta(days=1)
        for sent, expected in (
            (kst_local(deadline), deadline),
            (kst_local(later), later),
            ("", None),
        ):
            saved = await post_form(
                client,
                f"/teams/{team_id}/edit",
                new_team_form(recruit_until=sent, recruit_until_was=kst_local(deadline)),
                f"/teams/{team_id}/edit",
            )
            assert landed(saved) == (f"/teams/{team_id}", {"notice": "saved"}), sent
            got = (await world.client.get(f"/api/v1/teams/{team_id}", headers=leader.auth)).json()
            found = got["recruit_until"]
            assert (datetime.fromisoformat(found) if found else None) == expected, sent


async def test_the_leaders_pending_team_is_on_my_page_and_officers_review_it_there(
    world: World,
) -> None:
    officer, leader, member = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Member"),
    )
    first = await open_team(world, leader, title="승인 받을 팀")
    second = await open_team(world, leader, title="거절될 팀")
    async with browser(world, leader.github) as client:
        mine = await client.get("/me")
        assert "승인 받을 팀" in mine.text and "승인 대기" in mine.text
        # The leader sees no review buttons; a member who tries is refused as by the API.
        assert 'data-testid="approve-team"' not in (await client.get(f"/teams/{first['id']}")).text
    async with browser(world, member.github) as client:
        refused = await post_form(client, f"/teams/{first['id']}/review/approve")
        assert landed(refused) == (f"/teams/{first['id']}", {"error": "permission.officer_only"})
        api = await world.client.post(
            "/api/v1/admin/teams/approve", json={"ids": [first["id"]]}, headers=member.auth
        )
        assert api.json()["code"] == "permission.officer_only"
    async with browser(world, officer.github) as client:
        page = await client.get(f"/teams/{first['id']}")
        assert 'data-testid="approve-team"' in page.text and "data-confirm" in page.text
        approved = await post_form(client, f"/teams/{first['id']}/review/approve")
        assert landed(approved) == (f"/teams/{first['id']}", {"notice": "team_approved"})
        assert "팀을 승인했습니다." in (await client.get(approved.headers["location"])).text
        again = await post_form(client, f"/teams/{first['id']}/review/approve")
        assert landed(again) == (f"/teams/{first['id']}", {"error": "team.not_pending"})
        rejected = await post_form(client, f"/teams/{second['id']}/review/reject")
        assert landed(rejected) == ("/admin", {"notice": "team_rejected"})
        assert (await client.get(f"/teams/{second['id']}")).status_code == 404
        assert (await post_form(client, f"/teams/{first['id']}/review/nope")).status_code == 404


async def test_an_applicant_sees_their_application_on_its_slot_and_withdraws_there(
    world: World,
) -> None:
    officer, leader, applicant = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Applicant"),
    )
    team = await open_team(world, leader, officer)
    url = f"/teams/{team['id']}"
    async with browser(world, applicant.github) as client:
        applied = await post_form(client, f"{url}/apply", {"category": "웹"}, url)
        assert landed(applied) == (url, {"notice": "applied"})
        page = await client.get(url)
        assert "지원함" in page.text and 'data-testid="withdraw"' in page.text
        web_row = re.search(r"<tr><td>웹</td>.*?</tr>", page.text, re.S)
        assert web_row and "지원하기" not in web_row[0]
        application_id = re.search(rf"{url}/applications/(\d+)/withdraw", page.text)
        assert application_id
        withdraw = f"{url}/applications/{application_id[1]}/withdraw"
        done = await post_form(client, withdraw, page=url)
        assert landed(done) == (url, {"notice": "withdrawn"})
        assert "지원을 취소했습니다." in (await client.get(done.headers["location"])).text
        twice = await post_form(client, withdraw, page=url)
        assert landed(twice) == (url, {"error": "application.not_pending"})
        assert 'data-testid="withdraw"' not in (await client.get(url)).text
        # Applied again: the new application shows, not the withdrawn one.
        again = await post_form(client, f"{url}/apply", {"category": "웹"}, url)
        assert landed(again) == (url, {"notice": "applied"})
        shown = await client.get(url)
        assert 'data-testid="withdraw"' in shown.text and withdraw not in shown.text


async def test_no_apply_form_after_the_deadline(world: World) -> None:
    officer, leader, late = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Late"),
    )
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    team = await open_team(world, leader, officer, recruit_until=soon)
    url = f"/teams/{team['id']}"
    async with browser(world, late.github) as client:
        assert 'action="' + url + '/apply"' in (await client.get(url)).text
        await asyncio.sleep(2.2)
        assert 'action="' + url + '/apply"' not in (await client.get(url)).text
        refused = await post_form(client, f"{url}/apply", {"category": "웹"}, url)
        assert landed(refused) == (url, {"error": "team.recruitment_closed"})


async def member_row(world: World, leader: Account, team_id: int, member: Account) -> None:
    """``member`` applies to ``team_id`` by the API and the leader accepts."""
    base = f"/api/v1/teams/{team_id}/applications"
    made = await world.client.post(base, json={"category": "웹"}, headers=member.auth)
    assert made.status_code == 201, made.text
    accepted = await world.client.post(
        f"/api/v1/teams/{team_id}/applications/{made.json()['id']}/accept", headers=leader.auth
    )
    assert accepted.status_code == 200, accepted.text


async def test_leader_and_members_manage_the_team_from_its_page(world: World) -> None:
    officer, leader, stays, goes, quits = (
        await world.account("Officer", officer=True),
        await world.account("Leader"),
        await world.account("Stays"),
        await world.account("Goes"),
        await world.account("Quits"),
    )
    team = await open_team(world, leader, officer, slots=[{"category": "웹", "capacity": 5}])
    url = f"/teams/{team['id']}"
    for member in (stays, goes, quits):
        await member_row(world, leader, team["id"], member)
    async with browser(world, quits.github) as client:
        page = await client.get(url)
        assert 'data-testid="leave"' in page.text
        assert landed(await post_form(client, f"{url}/manage/leave", page=url)) == (
            url,
            {"notice": "left"},
        )
        # Not a member any more: refused with the API's code.
        again = await post_form(client, f"{url}/manage/leave", page=url)
        assert landed(again) == (url, {"error": "team.not_member"})
        # A member cannot remove another, nor complete.
        refused = await post_form(client, f"{url}/manage/complete", page=url)
        assert landed(refused) == (url, {"error": "permission.leader_only"})
    async with browser(world, leader.github) as client:
        page = await client.get(url)
        assert page.text.count("data-confirm") >= 4  # hand over, remove, complete, delete
        removed = await post_form(client, f"{url}/manage/remove", {"member_id": str(goes.id)}, url)
        assert landed(removed) == (url, {"notice": "removed"})
        assert "팀원을 내보냈습니다." in (await client.get(removed.headers["location"])).text
        completed = await post_form(client, f"{url}/manage/complete", page=url)
        assert landed(completed) == (url, {"notice": "completed"})
        handed = await post_form(client, f"{url}/manage/leader", {"member_id": str(stays.id)}, url)
        assert landed(handed) == (url, {"notice": "handed_over"})
    team_now = (await world.client.get(f"/api/v1/teams/{team['id']}", headers=stays.auth)).json()
    assert team_now["leader_id"] == stays.id and team_now["status"] == "completed"


async def test_officers_export_csv_by_term_from_the_console(world: World) -> None:
    officer, member = await world.account("Officer", officer=True), await world.account("Member")
    async with browser(world, officer.github) as client:
        console = await client.get("/admin")
        assert 'name="term"' in console.text
        terms = re.findall(r'<option value="(\d{4}-[12])">', console.text)
        assert len(terms) == 6 and terms == sorted(terms, reverse=True)
        for kind in ("members", "teams", "applications"):
            action = f"/api/v1/admin/exports/{kind}.csv"
            assert f'formaction="{action}"' in console.text
            got = await client.get(action, params={"term": terms[1]})
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith("text/csv")
            assert f"wap-{kind}-{terms[1]}.csv" in got.headers["content-disposition"]
    async with browser(world, member.github) as client:
        refused = await client.get("/api/v1/admin/exports/teams.csv")
        assert refused.json()["code"] == "permission.officer_only"
        assert landed(await client.get("/admin")) == ("/", {"error": "permission.officer_only"})
