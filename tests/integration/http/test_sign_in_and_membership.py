"""Sign-in, sign-up and membership administration over real HTTP, as a person would do it:
a fake GitHub (real HTTP server) and an SMTP sink (real SMTP server), on SQLite and MariaDB."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.http.conftest import BOSS, World, bearer
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem

ALICE = GitHubUser(1002, "alice", "Alice", email="alice@example.com")
BOB = GitHubUser(1003, "bob", None)


async def test_a_new_member_signs_up_is_approved_refreshes_and_logs_out(world: World) -> None:
    client = world.client
    # The officer of WAP_OFFICER_GITHUB_LOGINS signs up first and becomes an officer at once.
    boss = await world.sign_in(BOSS)
    assert boss["registered"] is False and boss["member"]["status"] == "registering"
    done = await world.register(
        boss["access_token"], name="Boss", student_number="201900001", email="boss@pukyong.ac.kr"
    )
    assert done.status_code == 201
    assert (done.json()["status"], done.json()["role"]) == ("approved", "officer")

    # A member signs in, asks for a code (it arrives by SMTP), registers and waits.
    alice = await world.sign_in(ALICE)
    assert alice["member"]["github_login"] == "alice"
    asked = await client.post(
        "/api/v1/auth/email-codes",
        json={"email": "alice@pukyong.ac.kr"},
        headers=bearer(alice["access_token"]),
    )
    assert asked.status_code == 202
    assert asked.json() == {"email": "alice@pukyong.ac.kr", "expires_in": 300, "resend_after": 60}
    code = await world.mailed_code("alice@pukyong.ac.kr")
    mail = world.mail.to("alice@pukyong.ac.kr")[0]
    assert (
        mail["From"] == "WAP <noreply@wap.test>" and code in mail.get_payload(decode=True).decode()
    )
    registered = await client.post(
        "/api/v1/members/me/registration",
        json={
            "name": "앨리스",
            "student_number": "202012345",
            "position": "프론트엔드",
            "email": "alice@pukyong.ac.kr",
            "email_code": code,
        },
        headers=bearer(alice["access_token"]),
    )
    assert registered.status_code == 201, registered.text
    alice_id = registered.json()["id"]
    assert registered.json()["status"] == "pending"
    me = await client.get("/api/v1/members/me", headers=bearer(alice["access_token"]))
    assert me.json()["student_number"] == "202012345" and me.json()["status"] == "pending"
    # Nobody else sees a pending member; the officer does.
    assert_problem(await client.get(f"/api/v1/members/{alice_id}"), 404, "member.not_found")
    seen = await client.get(f"/api/v1/members/{alice_id}", headers=bearer(boss["access_token"]))
    assert seen.status_code == 200

    # She is no officer.
    assert_problem(
        await client.get("/api/v1/admin/members", headers=bearer(alice["access_token"])),
        403,
        "permission.officer_only",
    )

    # The officer finds her among the pending and approves her.
    pending = await client.get(
        "/api/v1/admin/members",
        params={"status": "pending", "q": "앨리", "field": "name"},
        headers=bearer(boss["access_token"]),
    )
    assert pending.status_code == 200
    assert pending.json()["total"] == 1 and pending.json()["items"][0]["id"] == alice_id
    approved = await client.post(
        "/api/v1/admin/members/approve",
        json={"ids": [alice_id, 999999]},
        headers=bearer(boss["access_token"]),
    )
    assert approved.json() == {
        "done": [alice_id],
        "skipped": [{"id": 999999, "code": "member.not_found"}],
    }
    me = await client.get("/api/v1/members/me", headers=bearer(alice["access_token"]))
    assert me.json()["status"] == "approved"
    public = await client.get(f"/api/v1/members/{alice_id}")
    assert public.status_code == 200 and "student_number" not in public.json()
    audit = await client.get("/api/v1/admin/audit", headers=bearer(boss["access_token"]))
    assert audit.json()["items"][0]["action"] == "member.approve"
    assert audit.json()["items"][0]["target_id"] == alice_id

    # Refresh rotates; the spent token used again revokes the whole session.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": alice["refresh_token"]}
    )
    assert refreshed.status_code == 200
    pair = refreshed.json()
    assert pair["refresh_token"] != alice["refresh_token"]
    assert (
        await client.get("/api/v1/members/me", headers=bearer(pair["access_token"]))
    ).status_code == 200
    stolen = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": alice["refresh_token"]}
    )
    assert_problem(stolen, 401, "auth.refresh_invalid")
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}),
        401,
        "auth.refresh_invalid",
    )
    assert_problem(
        await client.get("/api/v1/members/me", headers=bearer(pair["access_token"])),
        401,
        "auth.token_invalid",
    )

    # A fresh sign-in, then logout ends that session.
    again = await world.sign_in(ALICE)
    assert again["registered"] is True
    out = await client.post("/api/v1/auth/logout", headers=bearer(again["access_token"]))
    assert out.status_code == 204 and out.content == b""
    assert_problem(
        await client.get("/api/v1/members/me", headers=bearer(again["access_token"])),
        401,
        "auth.token_invalid",
    )
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": again["refresh_token"]}),
        401,
        "auth.refresh_invalid",
    )


async def test_the_browser_flow_with_state_pkce_cookies_and_csrf(world: World) -> None:
    client = world.client
    world.github.next_user = BOB
    start = await client.get("/api/v1/auth/github/login", params={"next": "/teams/7"})
    assert start.status_code == 302
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["state"][0]
    assert "wap_oauth" in start.cookies
    assert "httponly" in start.headers["set-cookie"].lower()

    # The browser visits GitHub, which sends it back to the callback with a code.
    async with httpx.AsyncClient() as browser_at_github:
        back = await browser_at_github.get(start.headers["location"])
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    assert callback.path == "/api/v1/auth/github/callback"

    landed = await client.get(callback.path + "?" + callback.query)
    assert landed.status_code == 302, landed.text
    assert landed.headers["location"] == "/teams/7"
    cookies = {c.name: c for c in client.cookies.jar}
    assert {"wap_access", "wap_refresh", "wap_csrf"} <= cookies.keys()
    assert cookies["wap_refresh"].path == "/api/v1/auth"
    assert "wap_oauth" not in cookies or not cookies["wap_oauth"].value
    set_cookies = landed.headers.get_list("set-cookie")
    access_line = next(line for line in set_cookies if line.startswith("wap_access="))
    assert "HttpOnly" in access_line and "SameSite=lax" in access_line
    csrf_line = next(line for line in set_cookies if line.startswith("wap_csrf="))
    assert "HttpOnly" not in csrf_line
    # The verifier went to GitHub with the code: PKCE was checked there.
    assert world.github.token_requests[-1].get("code_verifier")

    me = await client.get("/api/v1/members/me")
    assert me.status_code == 200 and me.json()["github_login"] == "bob"

    # An unsafe request on cookies alone is a CSRF failure; with the header it passes.
    refused = await client.post("/api/v1/auth/email-codes", json={"email": "bob@pukyong.ac.kr"})
    assert_problem(refused, 403, "auth.csrf_failed")
    # A browser sends its page's Origin with every unsafe request.
    origin = {"Origin": str(client.base_url).rstrip("/")}
    csrf = {"X-CSRF-Token": cookies["wap_csrf"].value} | origin
    bad = await client.post(
        "/api/v1/auth/email-codes",
        json={"email": "bob@pukyong.ac.kr"},
        headers={"X-CSRF-Token": "forged"} | origin,
    )
    assert_problem(bad, 403, "auth.csrf_failed")
    ok = await client.post(
        "/api/v1/auth/email-codes", json={"email": "bob@pukyong.ac.kr"}, headers=csrf
    )
    assert ok.status_code == 202

    # Refresh by cookie (with CSRF) rotates the cookies too.
    old_refresh = cookies["wap_refresh"].value
    assert_problem(await client.post("/api/v1/auth/refresh"), 403, "auth.csrf_failed")
    rotated = await client.post("/api/v1/auth/refresh", headers=csrf)
    assert rotated.status_code == 200
    assert {c.name: c for c in client.cookies.jar}["wap_refresh"].value != old_refresh

    out = await client.post("/api/v1/auth/logout", headers=csrf)
    assert out.status_code == 204
    assert "wap_access" not in {c.name for c in client.cookies.jar}
    assert_problem(await client.get("/api/v1/members/me"), 401, "auth.required")


async def test_a_callback_without_its_state_is_refused(world: World) -> None:
    client = world.client
    world.github.next_user = BOB
    start = await client.get("/api/v1/auth/github/login")
    async with httpx.AsyncClient() as browser:
        back = await browser.get(start.headers["location"])
    callback = urlsplit(back.headers["location"])
    code = parse_qs(callback.query)["code"][0]
    wrong = await client.get(callback.path, params={"code": code, "state": "someone-elses"})
    assert_problem(wrong, 400, "auth.state_mismatch")
    async with httpx.AsyncClient(base_url=str(client.base_url)) as stranger:  # no cookie
        foreign = await stranger.get(callback.path + "?" + callback.query)
    assert_problem(foreign, 400, "auth.state_mismatch")
    denied = await client.get(
        callback.path,
        params={"error": "access_denied", "state": parse_qs(callback.query)["state"][0]},
    )
    assert_problem(denied, 400, "auth.oauth_failed")


async def test_next_never_leaves_the_site(world: World) -> None:
    world.github.next_user = BOB
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        start = await world.client.get("/api/v1/auth/github/login", params={"next": evil})
        async with httpx.AsyncClient() as browser:
            back = await browser.get(start.headers["location"])
        callback = urlsplit(back.headers["location"])
        landed = await world.client.get(callback.path + "?" + callback.query)
        assert landed.headers["location"] == "/welcome", evil


async def test_an_unknown_code_and_github_down(world: World) -> None:
    refused = await world.client.post("/api/v1/auth/github/token", json={"code": "nope"})
    assert_problem(refused, 400, "auth.oauth_failed")
    world.github.down = True
    down = await world.client.post(
        "/api/v1/auth/github/token", json={"code": world.github.issue_code(ALICE)}
    )
    assert_problem(down, 503, "service.unavailable")


async def test_tokens_that_must_not_work(world: World) -> None:
    client = world.client
    assert_problem(await client.get("/api/v1/members/me"), 401, "auth.required")
    for header in ("Bearer nonsense", "Basic YWxpY2U6cHc=", "Bearer", "Bearer " + "x" * 5000):
        response = await client.get("/api/v1/members/me", headers={"Authorization": header})
        assert_problem(response, 401, "auth.token_invalid")
    alice = await world.sign_in(ALICE)
    header, payload, signature = alice["access_token"].split(".")
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    assert_problem(
        await client.get("/api/v1/members/me", headers=bearer(f"{header}.{payload}.{flipped}")),
        401,
        "auth.token_invalid",
    )


async def test_registration_refusals(world: World) -> None:
    client = world.client
    bob = await world.sign_in(BOB)
    auth = bearer(bob["access_token"])
    outside = await client.post(
        "/api/v1/auth/email-codes", json={"email": "bob@gmail.com"}, headers=auth
    )
    assert_problem(outside, 400, "email.domain_not_allowed")
    first = await client.post(
        "/api/v1/auth/email-codes", json={"email": "bob@pukyong.ac.kr"}, headers=auth
    )
    assert first.status_code == 202
    again = await client.post(
        "/api/v1/auth/email-codes", json={"email": "bob@pukyong.ac.kr"}, headers=auth
    )
    assert_problem(again, 429, "email.cooldown")
    code = await world.mailed_code("bob@pukyong.ac.kr")

    def form(**overrides: str) -> dict[str, str]:
        values = {
            "name": "밥돌",
            "student_number": "202099999",
            "position": "AI",
            "email": "bob@pukyong.ac.kr",
            "email_code": code,
        }
        return values | overrides

    registration = "/api/v1/members/me/registration"
    bad = await client.post(
        registration, json=form(name="B0b", student_number="12", position="CEO"), headers=auth
    )
    problem = assert_problem(bad, 400, "member.name_invalid")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [  # type: ignore[index, union-attr]
        ("name", "member.name_invalid"),
        ("student_number", "member.student_number_invalid"),
        ("position", "member.position_invalid"),
    ]
    unknown = await client.post(registration, json=form() | {"role": "officer"}, headers=auth)
    assert_problem(unknown, 400, "request.invalid")
    mismatch = await client.post(registration, json=form(email_code="ZZZZZZ"), headers=auth)
    problem = assert_problem(mismatch, 400, "email.code_mismatch")
    assert problem["errors"] == [
        {
            "field": "email_code",
            "code": "email.code_mismatch",
            "message": "인증 코드가 일치하지 않습니다.",
        }
    ]
    done = await client.post(registration, json=form(name="Bob"), headers=auth)
    assert done.status_code == 201
    twice = await client.post(registration, json=form(), headers=auth)
    assert_problem(twice, 409, "member.not_registering")

    # Someone else may not take Bob's student number.
    carol = await world.sign_in(GitHubUser(1004, "carol"))
    taken = await world.register(
        carol["access_token"], name="Carol", student_number="202099999", email="carol@pukyong.ac.kr"
    )
    assert_problem(taken, 409, "member.student_number_taken")


async def test_officers_reject_expel_and_change_roles(world: World) -> None:
    client = world.client
    boss = await world.approved_member(BOSS, "Boss", "201900001")
    alice = await world.approved_member(ALICE, "Alice", "202000001")
    officer = bearer(boss["access_token"])
    alice_id = (
        await client.get("/api/v1/members/me", headers=bearer(alice["access_token"]))
    ).json()["id"]
    boss_id = (await client.get("/api/v1/members/me", headers=officer)).json()["id"]

    bob = await world.sign_in(BOB)
    pending = await world.register(
        bob["access_token"], name="Bob", student_number="202000002", email="bob@pukyong.ac.kr"
    )
    bob_id = pending.json()["id"]
    rejected = await client.post(
        "/api/v1/admin/members/reject", json={"ids": [bob_id, alice_id]}, headers=officer
    )
    assert rejected.json() == {
        "done": [bob_id],
        "skipped": [{"id": alice_id, "code": "member.not_pending"}],
    }
    # A rejected sign-up is deleted: signing in again starts over.
    bob_again = await world.sign_in(BOB)
    assert bob_again["registered"] is False and bob_again["member"]["id"] != bob_id

    # The last officer stays.
    last = await client.post(
        f"/api/v1/admin/members/{boss_id}/role", json={"role": "member"}, headers=officer
    )
    assert_problem(last, 409, "member.last_officer")
    expel_self = await client.post(
        "/api/v1/admin/members/expel", json={"ids": [boss_id]}, headers=officer
    )
    assert expel_self.json()["skipped"] == [{"id": boss_id, "code": "member.last_officer"}]
    promoted = await client.post(
        f"/api/v1/admin/members/{alice_id}/role", json={"role": "officer"}, headers=officer
    )
    assert promoted.json()["role"] == "officer"
    assert (
        await client.get("/api/v1/admin/members", headers=bearer(alice["access_token"]))
    ).status_code == 200
    bad_role = await client.post(
        f"/api/v1/admin/members/{alice_id}/role", json={"role": "king"}, headers=officer
    )
    assert_problem(bad_role, 400, "request.invalid")

    # Expelled: gone, and their token with them.
    expelled = await client.post(
        "/api/v1/admin/members/expel", json={"ids": [alice_id]}, headers=officer
    )
    assert expelled.json() == {"done": [alice_id], "skipped": []}
    assert_problem(
        await client.get("/api/v1/members/me", headers=bearer(alice["access_token"])),
        401,
        "auth.token_invalid",
    )
    actions = [
        i["action"]
        for i in (await client.get("/api/v1/admin/audit", headers=officer)).json()["items"]
    ]
    assert actions[:4] == ["member.expel", "member.role", "member.reject", "member.approve"]
    for body in ({"ids": []}, {"ids": [0]}, {"ids": list(range(1, 102))}, {"ids": "1"}, {}):
        assert_problem(
            await client.post("/api/v1/admin/members/approve", json=body, headers=officer),
            400,
            "request.invalid",
        )
