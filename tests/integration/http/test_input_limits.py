"""Bad input of every shape gets a problem with its code; nothing gets a 500."""

from __future__ import annotations

import asyncio
import re

import httpx
from sqlalchemy import update

from tests.integration.http.conftest import World
from tests.integration.http.test_foundation import assert_problem
from wap.adapters.sql.tables import teams


async def test_a_body_over_ten_mebibytes_is_refused(world: World) -> None:
    member = await world.account("Member")
    huge = b'{"title": "' + b"x" * (10 * 1024 * 1024 + 100) + b'"}'
    response = await world.client.post(
        "/api/v1/teams", content=huge, headers=member.auth | {"content-type": "application/json"}
    )
    assert_problem(response, 413, "request.too_large")


async def test_bodies_that_are_not_json_or_not_utf8_are_bad_requests(world: World) -> None:
    member = await world.account("Member")
    for body in (b"\xff\xfe\x00garbage", b"{", b"[]", b"null", b'{"title": "\\ud800"}'):
        response = await world.client.post(
            "/api/v1/teams",
            content=body,
            headers=member.auth | {"content-type": "application/json"},
        )
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] in ("request.invalid", "team.title_invalid")


async def test_nul_and_control_characters_are_refused_in_text(world: World) -> None:
    member = await world.account("Member")
    for field, value in (("bio", "hi\x00there"), ("tech_stack", ["Py\x07thon"])):
        response = await world.client.patch(
            "/api/v1/members/me", json={field: value}, headers=member.auth
        )
        assert_problem(response, 400, "request.invalid")


async def test_query_parameters_out_of_range(world: World) -> None:
    officer = await world.account("Officer", officer=True)
    for path in (
        "/api/v1/admin/members?page=0",
        "/api/v1/admin/members?page_size=101",
        "/api/v1/admin/members?page=abc",
        "/api/v1/admin/audit?page=-1",
        "/api/v1/notifications?limit=1000",
        "/api/v1/teams?limit=-5",
    ):
        assert_problem(await world.client.get(path, headers=officer.auth), 400, "request.invalid")


async def test_a_demotion_takes_effect_on_the_next_request(world: World) -> None:
    first, second = (
        await world.account("First", officer=True),
        await world.account("Second", officer=True),
    )
    assert (await world.client.get("/api/v1/admin/members", headers=second.auth)).status_code == 200
    await world.client.post(
        f"/api/v1/admin/members/{second.id}/role", json={"role": "member"}, headers=first.auth
    )
    assert_problem(
        await world.client.get("/api/v1/admin/members", headers=second.auth),
        403,
        "permission.officer_only",
    )


async def test_media_never_serves_outside_its_folder(world: World) -> None:
    for path in (
        "/media/../pyproject.toml",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/..%2f..%2fetc%2fpasswd",
        "/media//etc/passwd",
    ):
        response = await world.client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert b"root:" not in response.content


async def browser_of(world: World, token: str) -> tuple[httpx.AsyncClient, str]:
    """A browser signed in with the session cookie, and the CSRF token its pages carry."""
    base = str(world.client.base_url)
    browser = httpx.AsyncClient(
        base_url=base, cookies={"wap_access": token}, headers={"Origin": base.rstrip("/")}
    )
    page = await browser.get("/me")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found, page.text[:500]
    return browser, found[1]


async def test_odd_numbers_in_forms_and_queries_are_no_crash(world: World) -> None:
    """``"²".isdigit()`` holds but ``int("²")`` fails; 5000 digits exceed ``int``'s limit."""
    officer = await world.account("Officer", officer=True)
    created = await world.client.post(
        "/api/v1/teams",
        json={"title": "Odd", "genre": "웹", "description": "d", "slots": [
            {"category": "웹", "capacity": 2}]},
        headers=officer.auth,
    )  # fmt: skip
    team_id = created.json()["id"]
    browser, csrf = await browser_of(world, officer.token)
    try:
        for number in ("²", "١٢", "9" * 5000, "-²", "99999999999"):
            for path, form in (
                ("/admin/members/approve", {"ids": number}),
                (f"/teams/{team_id}/manage/leader", {"member_id": number}),
                ("/teams/new", {"title": "T", "genre": "웹", "description": "d",
                                "slots": f"웹: {number}"}),
            ):  # fmt: skip
                response = await browser.post(path, data=form | {"csrf": csrf})
                assert response.status_code < 500, (path, number, response.text[:300])
            response = await browser.get("/admin", params={"page": number})
            assert response.status_code == 200, (number, response.text[:300])
    finally:
        await browser.aclose()


async def test_single_line_fields_refuse_line_breaks_and_bidi_controls(world: World) -> None:
    leader, officer = await world.account("Leader"), await world.account("Officer", officer=True)
    applicant = await world.account("Applicant")
    for bad in ("\n", "\r", "\x00", "\u202e", "\u2066", "\x85"):
        response = await world.client.post(
            "/api/v1/teams", json=team_body(title=f"Team{bad}One"), headers=leader.auth
        )
        assert_problem(response, 400, "team.title_invalid")
        response = await world.client.post(
            "/api/v1/teams", json=team_body(description=f"Line{bad}x"), headers=leader.auth
        )
        if bad in "\n\r":
            assert response.status_code == 201, response.text  # descriptions keep newlines
            await world.client.delete(f"/api/v1/teams/{response.json()['id']}", headers=leader.auth)
        else:
            assert_problem(response, 400, "team.description_invalid")
        for field, value in (("tech_stack", [f"Py{bad}"]), ("links", [f"https://a.b/{bad}"])):
            response = await world.client.patch(
                "/api/v1/members/me", json={field: value}, headers=leader.auth
            )
            assert_problem(response, 400, "request.invalid")
    team = await world.client.post("/api/v1/teams", json=team_body(), headers=leader.auth)
    team_id = team.json()["id"]
    await world.client.post(
        "/api/v1/admin/teams/approve", json={"ids": [team_id]}, headers=officer.auth
    )
    refused = await world.client.post(
        f"/api/v1/teams/{team_id}/applications",
        json={"category": "웹", "message": "hi\u202eereht"},
        headers=applicant.auth,
    )
    assert assert_problem(refused, 400, "request.invalid")["errors"] == [
        {"field": "message", "code": "request.invalid", "message": "요청 형식이 올바르지 않습니다."}
    ]
    bio = await world.client.patch(
        "/api/v1/members/me", json={"bio": "첫 줄\n\t둘째 줄"}, headers=leader.auth
    )
    assert bio.status_code == 200 and bio.json()["bio"] == "첫 줄\n\t둘째 줄", bio.text


async def test_a_legacy_title_with_a_line_break_still_gets_its_notice_mail(world: World) -> None:
    """Rows stored before the rule: the e-mail subject is built as one safe line."""
    leader, officer = await world.account("Leader"), await world.account("Officer", officer=True)
    applicant = await world.account("Applicant")
    created = await world.client.post("/api/v1/teams", json=team_body(), headers=leader.auth)
    team_id = created.json()["id"]
    await world.client.post(
        "/api/v1/admin/teams/approve", json={"ids": [team_id]}, headers=officer.auth
    )
    async with world.engine.begin() as connection:
        await connection.execute(
            update(teams).where(teams.c.id == team_id).values(title="Old\r\nBcc: x@evil.test\u202e")
        )
    applied = await world.client.post(
        f"/api/v1/teams/{team_id}/applications", json={"category": "웹"}, headers=applicant.auth
    )
    assert applied.status_code == 201, applied.text
    for _ in range(400):
        received = [m for m in world.mail.to(leader.email) if "Old" in str(m["Subject"])]
        if received:
            break
        await asyncio.sleep(0.025)
    assert received, "the notice mail naming the legacy title was never sent"
    subject = str(received[0]["Subject"])
    assert "Old Bcc: x@evil.test" in subject and "\n" not in subject and "\u202e" not in subject
    assert received[0]["Bcc"] is None
    assert "Old" in received[0].get_content()


def team_body(**fields: object) -> dict[str, object]:
    return {
        "title": "Team",
        "genre": "웹",
        "description": "d",
        "slots": [{"category": "웹", "capacity": 2}],
    } | fields
