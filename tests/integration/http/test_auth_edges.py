"""Edges of sign-in found in review: odd input, races, cookie-only clients."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import BOSS, World, bearer, running_world
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem
from wap.domain.auth import EmailCodePolicy


async def test_odd_state_values_are_a_mismatch_not_a_crash(world: World) -> None:
    client = world.client
    callback = "/api/v1/auth/github/callback"
    for cookie, state in (("abc.%C3%A9", "a"), ("é.é", "é"), ("x" * 5000, "a"), ("", "")):
        raw = [(b"cookie", f"wap_oauth={cookie}".encode())]
        response = await client.get(callback, params={"code": "x", "state": state}, headers=raw)
        assert_problem(response, 400, "auth.state_mismatch")
    world.github.next_user = GitHubUser(31, "odd")
    start = await client.get("/api/v1/auth/github/login")
    assert start.status_code == 302
    non_ascii = await client.get(callback, params={"code": "x", "state": "상태"})
    assert_problem(non_ascii, 400, "auth.state_mismatch")


async def test_deeply_nested_json_is_bad_input(world: World) -> None:
    body = "[" * 5000 + "]" * 5000
    for path in ("/api/v1/auth/github/token", "/api/v1/auth/refresh", "/api/v1/teams"):
        response = await world.client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 401), (path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_host_header_that_is_no_host_is_bad_input(world: World) -> None:
    for host in ("x:99999", "x:abc"):
        response = await world.client.get("/api/v1/auth/github/login", headers={"Host": host})
        assert_problem(response, 400, "request.invalid")


async def test_racing_first_sign_ins_of_one_person_make_one_member(world: World) -> None:
    user = GitHubUser(777, "racer")
    codes = [world.github.issue_code(user) for _ in range(6)]
    responses = await asyncio.gather(
        *(world.client.post("/api/v1/auth/github/token", json={"code": c}) for c in codes)
    )
    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    assert len({r.json()["member"]["id"] for r in responses}) == 1


async def test_approving_and_rejecting_one_member_at_once_do_not_both_happen(
    world: World,
) -> None:
    officer = await world.account("Officer", officer=True)
    for attempt in range(3):
        signed = await world.sign_in(GitHubUser(900 + attempt, f"waiting{attempt}"))
        done = await world.register(
            signed["access_token"],
            name="Waiting",
            student_number=f"2030000{attempt:02d}",
            email=f"waiting{attempt}@pukyong.ac.kr",
        )
        member_id = done.json()["id"]
        approve, reject = await asyncio.gather(
            world.client.post(
                "/api/v1/admin/members/approve", json={"ids": [member_id]}, headers=officer.auth
            ),
            world.client.post(
                "/api/v1/admin/members/reject", json={"ids": [member_id]}, headers=officer.auth
            ),
        )
        winners = [r for r in (approve, reject) if r.json()["done"] == [member_id]]
        assert len(winners) == 1, (approve.text, reject.text)
        loser = approve if winners[0] is reject else reject
        assert loser.json()["skipped"][0]["code"] in ("member.not_pending", "member.not_found")


async def test_a_cookie_client_logs_out_with_its_refresh_cookie_alone(world: World) -> None:
    client = world.client
    world.github.next_user = GitHubUser(55, "cookie")
    start = await client.get("/api/v1/auth/github/login")
    async with httpx.AsyncClient() as browser:
        back = await browser.get(start.headers["location"])
    landed = await client.get(back.headers["location"].split(str(client.base_url).rstrip("/"))[-1])
    assert landed.status_code == 302
    csrf = {
        "X-CSRF-Token": client.cookies.get("wap_csrf") or "",
        "Origin": str(client.base_url).rstrip("/"),  # as a browser sends it
    }
    refreshed = await client.post("/api/v1/auth/refresh", headers=csrf)
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] is None  # the HttpOnly cookie carries it
    refresh_cookie = next(c.value for c in client.cookies.jar if c.name == "wap_refresh")

    # The 30-minute access cookie has lapsed; the browser still logs out.
    client.cookies.delete("wap_access")
    assert_problem(await client.post("/api/v1/auth/logout"), 403, "auth.csrf_failed")
    csrf["X-CSRF-Token"] = client.cookies.get("wap_csrf") or ""  # the refresh re-bound it
    out = await client.post("/api/v1/auth/logout", headers=csrf)
    assert out.status_code == 204
    async with httpx.AsyncClient(base_url=str(client.base_url)) as thief:
        thief.cookies.set("wap_refresh", refresh_cookie, path="/api/v1/auth")
        thief.cookies.set("wap_csrf", csrf["X-CSRF-Token"])  # and the right origin, too
        stolen = await thief.post("/api/v1/auth/refresh", headers=csrf)
    assert_problem(stolen, 401, "auth.refresh_invalid")


async def test_the_app_flow_can_use_pkce(world: World) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    code = world.github.issue_code(GitHubUser(66, "app"), challenge.rstrip(b"=").decode())
    wrong = await world.client.post(
        "/api/v1/auth/github/token", json={"code": code, "code_verifier": "x" * 43}
    )
    assert_problem(wrong, 400, "auth.oauth_failed")
    code = world.github.issue_code(GitHubUser(66, "app"), challenge.rstrip(b"=").decode())
    right = await world.client.post(
        "/api/v1/auth/github/token", json={"code": code, "code_verifier": verifier}
    )
    assert right.status_code == 200
    me = await world.client.get("/api/v1/members/me", headers=bearer(right.json()["access_token"]))
    assert me.json()["github_login"] == "app"


@pytest.mark.parametrize("backend", ["mysql"])
async def test_one_inbox_gets_at_most_five_codes_an_hour_across_processes(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
) -> None:
    """Six newcomers ask two service processes (sharing Redis) to mail the same address:
    five codes go out, the sixth request is ``rate.limited``."""
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    env = {"WAP_REDIS_URL": REDIS_URL}
    if 3600 - time.time() % 3600 < 10:  # the limit counts per clock hour: not across one
        await asyncio.sleep(11)
    async with (
        running_world(database_url, engine, tmp_path / "a", env) as first,
        running_world(database_url, engine, tmp_path / "b", env) as second,
    ):
        answers = []
        for n in range(EmailCodePolicy.MAX_PER_HOUR + 1):
            world = (first, second)[n % 2]
            signed = await world.sign_in(GitHubUser(90_000 + n, f"flood{n}"))
            answers.append(
                await world.client.post(
                    "/api/v1/auth/email-codes",
                    json={"email": "victim@pukyong.ac.kr"},
                    headers=bearer(signed["access_token"]),
                )
            )
        assert [a.status_code for a in answers] == [202] * 5 + [429]
        assert_problem(answers[-1], 429, "rate.limited")
        # With Redis the mails wait in the task stream for `wap worker`: five, not six.
        assert await redis_client.xlen("wap:tasks") == EmailCodePolicy.MAX_PER_HOUR


async def test_a_listed_officer_login_taken_over_after_a_rename_is_no_officer(
    world: World,
) -> None:
    """WAP_OFFICER_GITHUB_LOGINS lists boss:1001. Boss renames their GitHub account and a
    stranger registers the free login "boss": the stranger is an ordinary pending member."""
    impostor = await world.sign_in(GitHubUser(BOSS.id + 7, BOSS.login))
    done = await world.register(
        impostor["access_token"],
        name="Mallory",
        student_number="209900001",
        email="m@pukyong.ac.kr",
    )
    assert done.status_code == 201, done.text
    assert (done.json()["status"], done.json()["role"]) == ("pending", "member")
    # The real account, whatever its login now, is the officer.
    real = await world.sign_in(GitHubUser(BOSS.id, "boss-renamed"))
    done = await world.register(
        real["access_token"], name="Boss", student_number="209900002", email="b@pukyong.ac.kr"
    )
    assert (done.json()["status"], done.json()["role"]) == ("approved", "officer")


async def test_an_email_field_takes_exactly_one_plain_address(world: World) -> None:
    signed = await world.sign_in(GitHubUser(1_201, "mailer"))
    auth = bearer(signed["access_token"])
    for raw in (
        "a,victim@pukyong.ac.kr",
        "<me>@pukyong.ac.kr",
        "Me <me@pukyong.ac.kr>",
        "me@pukyong.ac.kr, victim@pukyong.ac.kr",
        '"me,victim"@pukyong.ac.kr',
    ):
        refused = await world.client.post(
            "/api/v1/auth/email-codes", json={"email": raw}, headers=auth
        )
        problem = assert_problem(refused, 400, "request.invalid")
        assert problem["errors"][0]["field"] == "email", raw  # type: ignore[index]
    # Case and full-width letters normalise: the domain is allowed, the code goes to one inbox.
    sent = await world.client.post(
        "/api/v1/auth/email-codes", json={"email": "Me@ＰＵＫＹＯＮＧ.AC.KR"}, headers=auth
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["email"] == "me@pukyong.ac.kr"
    code = await world.mailed_code("me@pukyong.ac.kr")
    done = await world.client.post(
        "/api/v1/members/me/registration",
        json={
            "name": "Mailer",
            "student_number": "209900011",
            "position": "AI",
            "email": "ME@pukyong.ac.kr",
            "email_code": code,
        },
        headers=auth,
    )
    assert done.status_code == 201, done.text
    assert done.json()["email"] == "me@pukyong.ac.kr"


async def test_registration_tells_a_taken_number_only_to_who_proved_the_code(
    world: World,
) -> None:
    holder = await world.account("Holder")
    taken = f"{holder.github.id:09d}"  # world.account's student number
    prober = await world.sign_in(GitHubUser(1_301, "prober"))
    auth = bearer(prober["access_token"])

    def form(code: str, number: str = taken) -> dict[str, str]:
        return {
            "name": "Prober",
            "student_number": number,
            "position": "AI",
            "email": "prober@pukyong.ac.kr",
            "email_code": code,
        }

    registration = "/api/v1/members/me/registration"
    no_code = await world.client.post(registration, json=form("ABCDEF"), headers=auth)
    assert_problem(no_code, 400, "email.code_expired")
    asked = await world.client.post(
        "/api/v1/auth/email-codes", json={"email": "prober@pukyong.ac.kr"}, headers=auth
    )
    assert asked.status_code == 202
    code = await world.mailed_code("prober@pukyong.ac.kr")
    wrong = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    guessed = await world.client.post(registration, json=form(wrong), headers=auth)
    assert_problem(guessed, 400, "email.code_mismatch")
    proved = await world.client.post(registration, json=form(code), headers=auth)
    assert_problem(proved, 409, "member.student_number_taken")
    # Ten attempts an hour per member, whatever their answers; then rate.limited.
    for _ in range(10 - 3):
        answer = await world.client.post(registration, json=form(wrong), headers=auth)
        assert answer.status_code in (400, 409), answer.text
    assert_problem(
        await world.client.post(registration, json=form(code, "209900099"), headers=auth),
        429,
        "rate.limited",
    )
