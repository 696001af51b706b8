"""The matching round under attack, on SQLite and MariaDB: malformed bodies and queries on
every route answer 4xx (never 500), forms without their CSRF token write nothing, a leader
cannot rank for a team they do not lead, markup in names and messages is escaped, and the
CSV export neutralises formulas."""

from __future__ import annotations

from typing import Any

from tests.integration.http.conftest import World
from tests.integration.http.test_rounds import deadline
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import landed
from tests.integration.http.test_web_sessions import browser, form_csrf, origin_of
from wap.domain.members import MemberStatus

BAD_BODIES: list[Any] = [
    None,
    [],
    "x",
    123,
    {},
    {"choices": "x"},
    {"choices": [{"team_id": -1, "category": "웹"}]},
    {"choices": [{"team_id": 2**63, "category": "웹"}]},
    {"choices": [{"team_id": 1, "category": 5}]},
    {"choices": [{"team_id": 1}]},
    {"choices": [{"team_id": 1, "category": "웹"}] * 5000},
    {"member_ids": [-5]},
    {"member_ids": [2**70]},
    {"member_ids": list(range(1, 5000))},
    {"member_ids": "1,2"},
    {"member_id": 1, "team_id": 1, "category": "웹", "action": "explode"},
    {"member_id": 2**40, "team_id": 1, "category": "x" * 10000, "action": "pin"},
    {"deadline": "어제", "max_choices": -1},
    {"deadline": 5},
]


async def _round_with_entry(world: World) -> tuple[Any, ...]:
    client = world.client
    officer = await world.account("Officer", officer=True)
    leader, other_leader = await world.account("Leader"), await world.account("Second")
    member = await world.account("Member")
    rid = (
        await client.post("/api/v1/rounds", json={"deadline": deadline()}, headers=officer.auth)
    ).json()["id"]
    tid = (
        await open_team(
            world,
            leader,
            officer,
            title="<script>alert(1)</script>",
            slots=[{"category": "웹", "capacity": 2}],
        )
    )["id"]
    other = (
        await open_team(
            world, other_leader, officer, title="Other", slots=[{"category": "IOS", "capacity": 1}]
        )
    )["id"]
    for who, team in ((leader, tid), (other_leader, other)):
        assert (await client.put(f"/api/v1/rounds/{rid}/teams/{team}", headers=who.auth)).is_success
    saved = await client.put(
        f"/api/v1/rounds/{rid}/choices/me",
        json={"choices": [{"team_id": tid, "category": "웹"}], "message": "<img src=x onerror=1>"},
        headers=member.auth,
    )
    assert saved.status_code == 200, saved.text
    return officer, leader, other_leader, member, rid, tid, other


async def test_malformed_bodies_and_foreign_rankings_are_refused(world: World) -> None:
    client = world.client
    officer, leader, other_leader, member, rid, tid, _other = await _round_with_entry(world)
    routes = [
        ("POST", "/api/v1/rounds"),
        ("PUT", f"/api/v1/rounds/{rid}/choices/me"),
        ("PUT", f"/api/v1/rounds/{rid}/teams/{tid}/ranking"),
        ("POST", f"/api/v1/rounds/{rid}/adjustments"),
    ]
    for method, path in routes:
        for body in BAD_BODIES:
            answer = await client.request(method, path, json=body, headers=officer.auth)
            assert 400 <= answer.status_code < 500, (path, body, answer.text)
            answer = await client.request(method, path, content=b"{not json", headers=member.auth)
            assert 400 <= answer.status_code < 500, (path, answer.text)
    for path in (
        f"/api/v1/rounds/{2**62}",
        "/api/v1/rounds/-1/preview",
        f"/api/v1/rounds/{rid}/export.csv?lang=xx",
        f"/api/v1/rounds/{rid}/teams/{2**62}/applicants",
    ):
        answer = await client.get(path, headers=officer.auth)
        assert 400 <= answer.status_code < 500, (path, answer.text)
    # The other team's leader ranks (and reads) the first team's applicants: refused.
    foreign = await client.put(
        f"/api/v1/rounds/{rid}/teams/{tid}/ranking",
        json={"member_ids": [member.id]},
        headers=other_leader.auth,
    )
    assert (foreign.status_code, foreign.json()["code"]) == (403, "permission.leader_only")
    peek = await client.get(
        f"/api/v1/rounds/{rid}/teams/{tid}/applicants", headers=other_leader.auth
    )
    assert peek.status_code == 403
    # A member ranks for the team they applied to; a member opts a team in: refused.
    for attempt in (
        client.put(
            f"/api/v1/rounds/{rid}/teams/{tid}/ranking",
            json={"member_ids": [member.id]},
            headers=member.auth,
        ),
        client.delete(f"/api/v1/rounds/{rid}/teams/{tid}", headers=member.auth),
    ):
        answer = await attempt
        assert answer.status_code == 403, answer.text
    # Non-officers on the officer routes.
    await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    for method, path in (
        ("GET", f"/api/v1/rounds/{rid}/preview"),
        ("GET", f"/api/v1/rounds/{rid}/export.csv"),
        ("POST", f"/api/v1/rounds/{rid}/publish"),
        ("POST", f"/api/v1/rounds/{rid}/run"),
    ):
        answer = await client.request(method, path, headers=leader.auth)
        assert answer.status_code == 403, (path, answer.text)
    # Ranking after the deadline (the round closed).
    late = await client.put(
        f"/api/v1/rounds/{rid}/teams/{tid}/ranking",
        json={"member_ids": [member.id]},
        headers=leader.auth,
    )
    assert late.status_code == 409, late.text


async def test_round_pages_escape_refuse_forged_forms_and_survive_junk(world: World) -> None:
    client = world.client
    _officer, leader, _other_leader, member, rid, tid, other = await _round_with_entry(world)
    async with browser(world, leader.github) as lead:
        page = await lead.get(f"/rounds/{rid}/teams/{tid}")
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;" in page.text
        for junk in ("?error=%00<b>", "?notice=" + "x" * 5000, "?page=-1&x[]=1"):
            answer = await lead.get(f"/rounds{junk}")
            assert answer.status_code < 500, junk
            assert "<b>" not in answer.text or junk != "?error=%00<b>"
        forms = [
            (f"/rounds/{rid}/teams/{tid}/opt", {"in": "no"}),
            (f"/rounds/{rid}/teams/{tid}/ranking", {"action": "clear"}),
            (f"/rounds/{rid}/choices", {"action": "remove", "index": "0"}),
            ("/rounds", {"deadline": "2030-01-01T00:00"}),
            (f"/rounds/{rid}/run", {}),
            (f"/rounds/{rid}/adjust", {"member_id": "1", "slot": "1:웹", "action": "pin"}),
            (f"/rounds/{rid}/publish", {}),
        ]
        for path, data in forms:
            for token in (None, "forged"):
                body = data | ({"csrf": token} if token else {})
                answer = await lead.post(path, data=body, headers=origin_of(lead))
                if not data and token is None:  # no body at all: refused as malformed
                    assert answer.status_code == 400, (path, answer.text)
                    continue
                assert landed(answer)[1] == {"error": "auth.csrf_failed"}, (path, token)
    view = (await client.get(f"/api/v1/rounds/{rid}")).json()
    assert view["state"] == "open" and sorted(view["teams"]) == sorted([tid, other])
    async with browser(world, member.github) as mine:
        for data in (
            {"action": "add", "slot": f"{2**70}:웹"},
            {"action": "add", "slot": "::::"},
            {"action": "down", "index": "-99999999999"},
            {"action": "message", "message": "a\x00b\r\n" * 400},
            {"action": "??"},
        ):
            token = form_csrf(await mine.get("/rounds"))
            answer = await mine.post(
                f"/rounds/{rid}/choices", data={"csrf": token, **data}, headers=origin_of(mine)
            )
            assert answer.status_code == 303, (data, answer.status_code, answer.text[:300])
        page = await mine.get("/rounds")
        assert "<img src=x" not in page.text
        mine_now = (await mine.get(f"/api/v1/rounds/{rid}/choices/me")).json()
        assert [c["team_id"] for c in mine_now["choices"]] == [tid]


async def test_the_round_csv_neutralises_formulas(world: World) -> None:
    client = world.client
    officer = await world.account("Officer", officer=True)
    leader, member = await world.account("Leader"), await world.account("Member")
    rid = (
        await client.post("/api/v1/rounds", json={"deadline": deadline()}, headers=officer.auth)
    ).json()["id"]
    tid = (
        await open_team(
            world, leader, officer, title="+SUM(A1)", slots=[{"category": "웹", "capacity": 2}]
        )
    )["id"]
    await client.put(f"/api/v1/rounds/{rid}/teams/{tid}", headers=leader.auth)
    await client.put(
        f"/api/v1/rounds/{rid}/choices/me",
        json={"choices": [{"team_id": tid, "category": "웹"}]},
        headers=member.auth,
    )
    await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    for when in ("preview", "published"):
        if when == "published":
            assert (
                await client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth)
            ).is_success
        csv = await client.get(f"/api/v1/rounds/{rid}/export.csv", headers=officer.auth)
        assert csv.status_code == 200, csv.text
        lines = csv.text.splitlines()
        assert any("'+SUM(A1)" in line for line in lines), lines
        assert not any(",+SUM" in line or ",=" in line or line.startswith("=") for line in lines)


async def test_opt_in_choices_and_adjustments_refuse_what_does_not_fit(world: World) -> None:
    client = world.client
    officer, _leader, other_leader, member, rid, tid, other = await _round_with_entry(world)
    # A pending team (not approved yet) is not offered, even by its own leader.
    pending_leader = await world.account("Pending")
    pending = (await open_team(world, pending_leader, title="대기 팀"))["id"]
    refused = await client.put(f"/api/v1/rounds/{rid}/teams/{pending}", headers=pending_leader.auth)
    assert (refused.status_code, refused.json()["code"]) == (409, "round.team_not_in"), refused.text
    # The opt form with an "in" that is neither yes nor no changes nothing.
    await client.delete(f"/api/v1/rounds/{rid}/teams/{other}", headers=other_leader.auth)
    async with browser(world, other_leader.github) as lead:
        token = form_csrf(await lead.get("/rounds"))
        for value in ("maybe", ""):
            answer = await lead.post(
                f"/rounds/{rid}/teams/{other}/opt",
                data={"csrf": token} | ({"in": value} if value else {}),
                headers=origin_of(lead),
            )
            assert landed(answer) == ("/rounds", {"error": "request.invalid"})
    assert (await client.get(f"/api/v1/rounds/{rid}")).json()["teams"] == [tid]
    # Unknown category, a slot the team does not have, a full slot, a pending team's slot.
    late = await world.account("Late")
    url = f"/api/v1/rounds/{rid}/choices/me"
    for choice in (
        {"team_id": tid, "category": "없는분야"},
        {"team_id": tid, "category": "IOS"},
        {"team_id": pending, "category": "웹"},
    ):
        answer = await client.put(url, json={"choices": [choice]}, headers=late.auth)
        assert (answer.status_code, answer.json()["code"]) == (400, "round.choice_invalid")
    # A member signed up but not approved yet cannot save choices.
    waiting = await world.account("Waiting", status=MemberStatus.PENDING)
    answer = await client.put(
        url, json={"choices": [{"team_id": tid, "category": "웹"}]}, headers=waiting.auth
    )
    assert answer.status_code == 403, answer.text
    # An officer's adjust form with an action that is none of pin/remove/reset is refused,
    # and the pin stays (it used to be read as "reset" and undo the pin).
    await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    pin = {"member_id": member.id, "team_id": tid, "category": "웹", "action": "pin"}
    pinned = await client.post(f"/api/v1/rounds/{rid}/adjustments", json=pin, headers=officer.auth)
    assert pinned.status_code == 200, pinned.text
    async with browser(world, officer.github) as boss:
        token = form_csrf(await boss.get(f"/rounds/{rid}/preview"))
        for action in ("bogus", ""):
            answer = await boss.post(
                f"/rounds/{rid}/adjust",
                data={"csrf": token, "member_id": str(member.id), "slot": f"{tid}:웹"}
                | ({"action": action} if action else {}),
                headers=origin_of(boss),
            )
            assert landed(answer) == (f"/rounds/{rid}/preview", {"error": "request.invalid"})
    preview = (await client.get(f"/api/v1/rounds/{rid}/preview", headers=officer.auth)).json()
    assert preview["pins"] == [{"member_id": member.id, "team_id": tid, "category": "웹"}]


async def test_a_team_title_with_markup_is_escaped_on_preview_home_and_inbox(world: World) -> None:
    client = world.client
    officer, leader, _other_leader, member, rid, _tid, _other = await _round_with_entry(world)
    await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    async with browser(world, officer.github) as boss:
        page = await boss.get(f"/rounds/{rid}/preview")
        assert page.status_code == 200 and "<script>alert(1)" not in page.text
        assert "&lt;script&gt;alert(1)" in page.text
    assert (await client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth)).is_success
    for who in (member, leader):
        async with browser(world, who.github) as person:
            for path in ("/rounds", "/notifications", f"/rounds/{rid}/preview"):
                page = await person.get(path)
                assert page.status_code < 500 and "<script>alert(1)" not in page.text, path
