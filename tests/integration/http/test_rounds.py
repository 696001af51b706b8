"""The matching round over real HTTP, on SQLite and MariaDB: the refusals with their codes,
and a round of 120 members and 40 slots published while 20 concurrent accepts hit the same
slots — no slot over capacity, every pair either joined or reported as skipped."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from wap.adapters.sql.tables import notifications, rounds, team_members, team_slots

CATEGORIES = ["웹", "IOS", "안드로이드", "파이썬"]


def deadline(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def accounts(world: World, prefix: str, n: int) -> list[Account]:
    found: list[Account] = []
    for start in range(0, n, 20):  # in batches: one loopback server, two cores
        found += await asyncio.gather(
            *(
                world.account(f"{prefix}{chr(65 + i // 26)}{chr(65 + i % 26)}")
                for i in range(start, min(n, start + 20))
            )
        )
    return found


async def test_the_round_refuses_with_its_codes(world: World) -> None:
    client = world.client
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    member, other = await world.account("Member"), await world.account("Other")
    missing = await client.get("/api/v1/rounds/current")
    assert (missing.status_code, missing.json()["code"]) == (404, "round.not_found")
    refused = await client.post(
        "/api/v1/rounds", json={"deadline": deadline()}, headers=member.auth
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "permission.officer_only")
    bad = await client.post(
        "/api/v1/rounds", json={"deadline": "2020-01-01T00:00:00+09:00"}, headers=officer.auth
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "request.invalid")
    opened = await client.post(
        "/api/v1/rounds", json={"deadline": deadline(), "max_choices": 2}, headers=officer.auth
    )
    assert opened.status_code == 201, opened.text
    rid = opened.json()["id"]
    again = await client.post("/api/v1/rounds", json={"deadline": deadline()}, headers=officer.auth)
    assert again.json()["code"] == "round.already_open"
    team = await open_team(
        world,
        leader,
        officer,
        slots=[{"category": "웹", "capacity": 2}, {"category": "IOS", "capacity": 1}],
    )
    tid = team["id"]
    stranger = await client.put(f"/api/v1/rounds/{rid}/teams/{tid}", headers=member.auth)
    assert stranger.json()["code"] == "permission.leader_only"
    joined = await client.put(f"/api/v1/rounds/{rid}/teams/{tid}", headers=leader.auth)
    assert joined.status_code == 200 and joined.json()["teams"] == [tid]

    url = f"/api/v1/rounds/{rid}/choices/me"
    web, ios = {"team_id": tid, "category": "웹"}, {"team_id": tid, "category": "IOS"}
    cases = [
        (leader, [web], 403, "round.not_eligible"),
        (member, [web, ios, {"team_id": tid, "category": "파이썬"}], 400, "round.too_many_choices"),
        (member, [web, web], 400, "round.choice_invalid"),
        (member, [{"team_id": 999999, "category": "웹"}], 400, "round.choice_invalid"),
    ]
    for who, choices, status, code in cases:
        answer = await client.put(url, json={"choices": choices}, headers=who.auth)
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    saved = await client.put(
        url, json={"choices": [ios, web], "message": "iOS 해보고 싶어요"}, headers=member.auth
    )
    assert saved.status_code == 200, saved.text
    assert [c["category"] for c in saved.json()["choices"]] == ["IOS", "웹"]
    # A burst of saves by one member (double clicks): each answers, the last order holds.
    burst = await asyncio.gather(
        *(client.put(url, json={"choices": [ios]}, headers=other.auth) for _ in range(10))
    )
    assert [r.status_code for r in burst] == [200] * 10, [r.text for r in burst]
    bursts = await asyncio.gather(
        *(client.put(f"/api/v1/rounds/{rid}/teams/{tid}", headers=leader.auth) for _ in range(5))
    )
    assert [r.json()["teams"] for r in bursts] == [[tid]] * 5
    ranked = await client.put(
        f"/api/v1/rounds/{rid}/teams/{tid}/ranking",
        json={"member_ids": [other.id, member.id]},
        headers=leader.auth,
    )
    assert [a["member_id"] for a in ranked.json()["applicants"]] == [other.id, member.id]

    early = await client.get(f"/api/v1/rounds/{rid}/preview", headers=officer.auth)
    assert early.json()["code"] == "round.still_open"
    ran = await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    assert ran.json()["state"] == "closed"
    late = await client.put(url, json={"choices": [web]}, headers=member.auth)
    assert (late.status_code, late.json()["code"]) == (409, "round.closed")
    preview = (await client.get(f"/api/v1/rounds/{rid}/preview", headers=officer.auth)).json()
    placed = {p["member_id"]: (p["category"], p["rank"]) for p in preview["placed"]}
    assert placed == {other.id: ("IOS", 1), member.id: ("웹", 2)}
    pin = await client.post(
        f"/api/v1/rounds/{rid}/adjustments",
        json={"member_id": 999999, "team_id": tid, "category": "웹", "action": "pin"},
        headers=officer.auth,
    )
    assert pin.json()["code"] == "round.pin_invalid"
    published = await client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth)
    assert published.status_code == 200, published.text
    assert {p["member_id"] for p in published.json()["placed"]} == {member.id, other.id}
    twice = await client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth)
    assert (twice.status_code, twice.json()["code"]) == (409, "round.published")
    inbox = (await client.get("/api/v1/notifications", headers=member.auth)).json()
    assert inbox["items"][0]["kind"] == "round.placed"
    csv = await client.get(f"/api/v1/rounds/{rid}/export.csv?lang=en", headers=officer.auth)
    assert csv.status_code == 200 and csv.text.startswith("\ufeffmember_id,member_name")
    assert "placed" in csv.text
    audit = (await client.get("/api/v1/admin/audit", headers=officer.auth)).json()
    assert {"round.open", "round.run", "round.publish"} <= {e["action"] for e in audit["items"]}


async def test_publishing_120_members_into_40_slots_while_20_accepts_race(world: World) -> None:
    # A fresh connection per request: a pooled one left idle past uvicorn's keep-alive timeout
    # while the database works is closed under the client (a ReadError, not a refusal).
    async with httpx.AsyncClient(
        base_url=str(world.client.base_url),
        timeout=120,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:
        await _race(replace(world, client=client))


async def _race(world: World) -> None:
    client = world.client
    officer = await world.account("Officer", officer=True)
    leaders = await accounts(world, "Lead", 10)
    teams: list[int] = []
    for i, leader in enumerate(leaders):  # 10 teams × 4 slots of 2 places: 40 slots, 80 places
        team = await open_team(
            world,
            leader,
            officer,
            title=f"라운드 팀 {i}",
            slots=[{"category": c, "capacity": 2} for c in CATEGORIES],
        )
        teams.append(team["id"])
    members = await accounts(world, "Round", 120)
    racers = await accounts(world, "Racer", 20)
    opened = await client.post(
        "/api/v1/rounds", json={"deadline": deadline(), "max_choices": 5}, headers=officer.auth
    )
    assert opened.status_code == 201, opened.text
    rid = opened.json()["id"]
    for leader, tid in zip(leaders, teams, strict=True):
        joined = await client.put(f"/api/v1/rounds/{rid}/teams/{tid}", headers=leader.auth)
        assert joined.status_code == 200, joined.text

    rng = random.Random(18)
    # Popular slots: the first two teams' web slots, which the racers also apply to.
    hot = [(teams[0], "웹"), (teams[1], "웹")]
    every = [(t, c) for t in teams for c in CATEGORIES]
    for start in range(0, len(members), 20):
        batch = members[start : start + 20]
        saved = await asyncio.gather(
            *(
                client.put(
                    f"/api/v1/rounds/{rid}/choices/me",
                    json={"choices": _five(rng, hot, every)},
                    headers=m.auth,
                )
                for m in batch
            )
        )
        assert {r.status_code for r in saved} == {200}, [r.text for r in saved][:3]
    # The racers apply to the hot slots now; their leaders accept while the round publishes.
    applied = []
    for i, racer in enumerate(racers):
        tid, category = hot[i % 2]
        answer = await client.post(
            f"/api/v1/teams/{tid}/applications", json={"category": category}, headers=racer.auth
        )
        assert answer.status_code == 201, answer.text
        applied.append((tid, answer.json()["id"]))
    ran = await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)
    assert ran.status_code == 200, ran.text
    preview = (await client.get(f"/api/v1/rounds/{rid}/preview", headers=officer.auth)).json()
    assert sum(preview["rank_counts"].values()) == len(preview["placed"]) <= 80

    lead_of = dict(zip(teams, leaders, strict=True))
    answers = await asyncio.gather(
        client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth),
        *(
            client.post(
                f"/api/v1/teams/{tid}/applications/{app_id}/accept", headers=lead_of[tid].auth
            )
            for tid, app_id in applied
        ),
    )
    published, accepts = answers[0], answers[1:]
    assert published.status_code == 200, published.text
    assert all(a.status_code in (200, 409) for a in accepts), [a.text for a in accepts]
    assert {a.json()["code"] for a in accepts if a.status_code == 409} <= {"application.slot_full"}
    report = published.json()
    round_members = {m.id for m in members}

    async with world.engine.connect() as connection:
        slots = (await connection.execute(select(team_slots))).mappings().all()
        seated = (await connection.execute(select(team_members))).mappings().all()
        told = (
            await connection.execute(
                select(notifications.c.member_id, notifications.c.kind).where(
                    notifications.c.kind.like("round.%")
                )
            )
        ).all()
    # No slot over capacity, and each slot's count is the people in it.
    for slot in slots:
        assert slot["filled"] <= slot["capacity"]
        people = [
            s for s in seated
            if s["team_id"] == slot["team_id"] and s["category"] == slot["category"]
        ]  # fmt: skip
        assert len(people) == slot["filled"]
    # Every pair of the assignment either joined or is reported as skipped, never both.
    joined = {(s["member_id"], s["team_id"]) for s in seated if s["member_id"] in round_members}
    placed = {(p["member_id"], p["team_id"]) for p in report["placed"]}
    skipped = {(s["member_id"], s["team_id"]) for s in report["skipped"]}
    assert joined == placed
    assert not placed & skipped
    assert {s["reason"] for s in report["skipped"]} <= {"slot_full"}
    accepted = sum(1 for a in accepts if a.status_code == 200)
    hot_seats = sum(
        1 for s in seated if (s["team_id"], s["category"]) in set(hot) and s["role"] == "member"
    )
    assert hot_seats == 4  # two hot slots of two: full, never over
    assert (
        accepted + sum(1 for p in report["placed"] if (p["team_id"], p["category"]) in set(hot))
        == 4
    )
    # Everyone concerned was told: each placed member and their leader, each left-out member.
    kinds = {(member_id, kind) for member_id, kind in told}
    for p in report["placed"]:
        assert (p["member_id"], "round.placed") in kinds
        assert (lead_of[p["team_id"]].id, "round.joined") in kinds
    for s in report["skipped"]:
        assert (s["member_id"], "round.unplaced") in kinds
    placed_or_skipped = len(report["placed"]) + len(report["skipped"])
    assert placed_or_skipped + len(report["unplaced"]) >= len(members)
    csv = await client.get(f"/api/v1/rounds/{rid}/export.csv", headers=officer.auth)
    assert csv.text.count("\r\n") == 1 + placed_or_skipped + len(report["unplaced"])


def _five(
    rng: random.Random, hot: list[tuple[int, str]], every: list[tuple[int, str]]
) -> list[dict[str, Any]]:
    """Five distinct choices, the first a hot slot half of the time."""
    picked = [rng.choice(hot)] if rng.random() < 0.5 else []
    for choice in rng.sample(every, 10):
        if choice not in picked and len(picked) < 5:
            picked.append(choice)
    return [{"team_id": t, "category": c} for t, c in picked]


async def test_ten_officers_opening_at_once_open_one_round(world: World) -> None:
    """The database decides "one unpublished round per term": ten officers' opens at the same
    moment give exactly one round; the others get the already-open refusal, never a 500."""
    client = world.client
    officers = await asyncio.gather(
        *(world.account(f"Officer{chr(65 + i)}", officer=True) for i in range(10))
    )
    opens = await asyncio.gather(
        *(
            client.post("/api/v1/rounds", json={"deadline": deadline()}, headers=o.auth)
            for o in officers
        )
    )
    statuses = sorted((r.status_code, r.json().get("code")) for r in opens)
    assert statuses == [(201, None)] + [(409, "round.already_open")] * 9, [r.text for r in opens]
    async with world.engine.connect() as connection:
        stored = (await connection.execute(select(rounds.c.id, rounds.c.open_term))).all()
    (opened,) = [r.json() for r in opens if r.status_code == 201]
    rid = opened["id"]
    assert [(row.id, row.open_term) for row in stored] == [(rid, opened["term"])]

    # Publishing frees the term (its open_term goes NULL): the next round opens, once.
    officer = officers[0]
    assert (await client.post(f"/api/v1/rounds/{rid}/run", headers=officer.auth)).is_success
    published = await client.post(f"/api/v1/rounds/{rid}/publish", headers=officer.auth)
    assert published.status_code == 200, published.text
    again = await asyncio.gather(
        *(
            client.post("/api/v1/rounds", json={"deadline": deadline()}, headers=o.auth)
            for o in officers[:5]
        )
    )
    assert sorted(r.status_code for r in again) == [201, 409, 409, 409, 409]
    async with world.engine.connect() as connection:
        stored = (
            await connection.execute(
                select(rounds.c.id, rounds.c.state, rounds.c.open_term).order_by(rounds.c.id)
            )
        ).all()
    assert [(row.state, row.open_term is None) for row in stored] == [
        ("published", True),
        ("open", False),
    ]
