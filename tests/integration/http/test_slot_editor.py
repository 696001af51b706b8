"""The slot editor on the team form: rows of a category and a capacity, an empty row is
ignored, and a refused slot is shown beside its row."""

from __future__ import annotations

import re

import httpx

from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import landed, member_row
from tests.integration.http.test_web_sessions import browser, form_csrf, origin_of


async def post_rows(
    client: httpx.AsyncClient, path: str, rows: list[tuple[str, str]], **fields: str
) -> httpx.Response:
    """The team form posted with the editor's rows (repeated ``slot_category`` and
    ``slot_capacity``), as the page sends them."""
    data: dict[str, str | list[str]] = {
        "csrf": form_csrf(await client.get(path)),
        "title": "슬롯 편집 팀",
        "genre": "웹",
        "description": "슬롯을 줄로 고른다",
        "links": "",
        "slot_category": [c for c, _ in rows],
        "slot_capacity": [n for _, n in rows],
        **fields,
    }
    return await client.post(path, data=data, headers=origin_of(client))


def rows_of(html: str) -> list[str]:
    """Each slot row of a page, as HTML."""
    return re.findall(r'<div class="slot-row" data-slot-row>(.*?)</div>', html, re.S)


def chosen(row: str) -> str:
    found = re.search(r"<option selected>([^<]*)</option>", row)
    return found.group(1) if found else ""


async def slots_of(world: World, account: Account, team_id: int) -> dict[str, int]:
    got = await world.client.get(f"/api/v1/teams/{team_id}", headers=account.auth)
    return {s["category"]: s["capacity"] for s in got.json()["slots"]}


async def test_rows_make_the_slots_and_an_empty_row_is_ignored(world: World) -> None:
    leader = await world.account("Leader")
    async with browser(world, leader.github) as client:
        page = (await client.get("/teams/new")).text
        rows = rows_of(page)
        assert len(rows) == 3 and all(chosen(r) == "" for r in rows)
        # Every control has its label, and the capacity is a number 1–10.
        assert page.count("<label>분야 <span data-slot-number>") == 3
        assert page.count('type="number" name="slot_capacity" min="1" max="10"') == 3
        created = await post_rows(
            client, "/teams/new", [("웹", "2"), ("", ""), ("UI/UX 디자인", "1"), ("", "5")]
        )
        path, query = landed(created)
        assert query == {"notice": "created"}
        team_id = int(path.rsplit("/", 1)[1])
        assert await slots_of(world, leader, team_id) == {"웹": 2, "UI/UX 디자인": 1}
        # The edit form shows the team's slots as rows, then spare empty rows.
        edit = rows_of((await client.get(f"/teams/{team_id}/edit")).text)
        shown = {chosen(r): re.findall(r'value="(\d+)"', r) for r in edit[:2]}
        assert shown == {"웹": ["2"], "UI/UX 디자인": ["1"]}
        assert [chosen(r) for r in edit[2:]] == ["", "", ""]
        saved = await post_rows(client, f"/teams/{team_id}/edit", [("IOS", "3"), ("", "")])
        assert landed(saved) == (f"/teams/{team_id}", {"notice": "saved"})
        assert await slots_of(world, leader, team_id) == {"IOS": 3}


async def test_a_refused_slot_is_shown_beside_its_row(world: World) -> None:
    leader = await world.account("Leader")
    async with browser(world, leader.github) as client:
        for rows, bad in (
            ([("웹", "2"), ("IOS", "0")], [1]),  # team.capacity_invalid
            ([("웹", "2"), ("IOS", "")], [1]),  # no capacity: team.capacity_invalid
            ([("웹", "2"), ("IOS", "1"), ("웹", "3")], [0, 2]),  # twice: both rows
            ([("웹", "2"), ("우주 탐사", "1")], [1]),  # team.category_invalid
        ):
            refused = await post_rows(client, "/teams/new", rows)
            assert refused.status_code == 200, rows
            shown = rows_of(refused.text)
            assert [chosen(r) for r in shown[: len(rows)]] == [c for c, _ in rows]
            errors = [i for i, r in enumerate(shown) if 'class="field-error"' in r]
            assert errors == bad, rows
            # Shown beside the row, not again under the editor.
            assert refused.text.count('class="field-error"') == len(bad)


async def test_a_slot_below_its_members_points_at_its_row(world: World) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    member, other = await world.account("Member"), await world.account("Other")
    team = await open_team(
        world,
        leader,
        officer,
        slots=[{"category": "IOS", "capacity": 1}, {"category": "웹", "capacity": 5}],
    )
    for someone in (member, other):
        await member_row(world, leader, team["id"], someone)
    url = f"/teams/{team['id']}/edit"
    async with browser(world, leader.github) as client:
        below = await post_rows(client, url, [("IOS", "1"), ("웹", "1")])
        assert below.status_code == 200
        shown = rows_of(below.text)
        assert 'class="field-error"' not in shown[0] and 'class="field-error"' in shown[1]
        assert chosen(shown[1]) == "웹"
        # A slot with members taken away has no row: its message stands under the editor.
        in_use = await post_rows(client, url, [("IOS", "1")])
        assert in_use.status_code == 200
        assert not any('class="field-error"' in r for r in rows_of(in_use.text))
        assert in_use.text.count('class="field-error"') == 1
    assert await slots_of(world, leader, team["id"]) == {"IOS": 1, "웹": 5}
