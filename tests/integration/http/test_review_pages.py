"""Red-team review of the pages that just landed (board, team page, console, live streams,
/media): malformed query strings and form bodies never get a 5xx, forms refuse a missing
CSRF token and change nothing, and the edit form is the leader's only. Run on SQLite and on
MariaDB (the ``world`` fixture)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_sessions import browser, cookie, origin_of
from wap.adapters.sql.tables import applications, likes, members, teams
from wap.domain.members import MemberStatus

HUGE = "가" * 600 + "x" * 3000
WEIRD = [
    "",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e9",
    "abc",
    "%00",
    "%ff%fe",
    "<script>alert(1)</script>",
    "'\"><svg onload=alert(1)>",
    "../../etc/passwd",
    HUGE,
    "%E2%80%AE%01",
    "NaN",
]


async def read_one(client: httpx.AsyncClient, path: str) -> int:
    """The status of a GET; a stream that starts is closed after its head."""
    async with client.stream("GET", path, headers={"Accept": "text/html"}) as response:
        return response.status_code


async def cast(world: World) -> tuple[Account, Account, Account, int]:
    """An officer, a leader with an approved team, and a member."""
    officer = await world.account("Officer", officer=True)
    leader = await world.account("Leader")
    member = await world.account("Member")
    team = await open_team(world, leader, officer)
    return officer, leader, member, int(team["id"])


def query_paths(team: int, value: str) -> list[str]:
    raw = value  # sent as typed: httpx leaves %-escapes alone in a raw path
    return [
        f"/?cursor={raw}",
        f"/?q={raw}",
        f"/?genre={raw}&category={raw}&status={raw}",
        f"/?status=completed&cursor={raw}&q={raw}",
        f"/admin?page={raw}&mp={raw}&tp={raw}&ap={raw}&field={raw}&q={raw}",
        f"/teams/{team}?notice={raw}&error={raw}",
        f"/notifications?cursor={raw}&unread={raw}",
        f"/me?error={raw}",
        f"/media/{raw}",
        f"/media/teams/{raw}.webp",
        f"/register?next={raw}",
    ]


PATHS = [
    "/teams/99999999999999999999999999",
    "/teams/-1",
    "/teams/0/edit",
    "/live/teams/-1",
    "/live/teams/99999999999999999999999",
    "/media/..%2f..%2f..%2fetc%2fpasswd",
    "/media/%2e%2e/%2e%2e/etc/passwd",
    "/media/teams/" + "a" * 5000 + ".webp",
    "/media/%00",
    "/members/99999999999999999999",
    "/waiting?next=%ff",
    "/login?next=//evil.example/%0d%0aSet-Cookie:x=1",
    "/register?step=%00&email=" + "a" * 3000,
    "/notifications/99999999999999999999",
    "/notifications/-1",
]


async def test_malformed_queries_on_the_new_pages_are_never_a_server_error(world: World) -> None:
    officer, _leader, member, team = await cast(world)
    base = str(world.client.base_url)
    async with (
        browser(world, officer.github) as officers,
        browser(world, member.github) as members_,
        httpx.AsyncClient(base_url=base, timeout=30) as visitor,
    ):
        failures = []
        for client in (officers, members_, visitor):
            paths = [p for v in WEIRD for p in query_paths(team, v)] + PATHS
            for path in paths:
                status = await read_one(client, path)
                if status >= 500:
                    failures.append((status, path[:120]))
        assert not failures, failures


FORMS = [
    "/teams/{team}/like",
    "/teams/{team}/apply",
    "/teams/{team}/applications/1/accept",
    "/teams/{team}/applications/1/reject",
    "/teams/{team}/applications/1/withdraw",
    "/teams/{team}/manage/leader",
    "/teams/{team}/manage/remove",
    "/teams/{team}/manage/complete",
    "/teams/{team}/edit",
    "/teams/new",
    "/teams/{team}/review/approve",
    "/admin/members/approve",
    "/admin/members/expel",
    "/admin/teams/reject",
    "/admin/role/1",
    "/applications/1/withdraw",
    "/notifications/read",
    "/me",
    "/register",
]


def bodies(csrf: str) -> list[dict[str, str]]:
    weird = [
        {"ids": v, "member_id": v, "like": v, "category": v, "message": v, "role": v} for v in WEIRD
    ]
    team_forms = [
        {"title": v, "genre": v, "description": v, "slots": v, "links": v, "recruit_until": v}
        for v in WEIRD
    ]
    return [{"csrf": csrf, **b} for b in weird + team_forms] + [{"csrf": csrf}]


async def test_malformed_forms_on_the_new_pages_are_never_a_server_error(world: World) -> None:
    officer, leader, _member, team = await cast(world)
    async with browser(world, leader.github) as leaders, browser(world, officer.github) as officers:
        failures = []
        for client in (leaders, officers):
            await client.get("/")
            csrf = cookie(client, "wap_csrf")
            for form in FORMS:
                path = form.format(team=team)
                for body in bodies(csrf):
                    answer = await client.post(path, data=body, headers=origin_of(client))
                    if answer.status_code >= 500:
                        failures.append((answer.status_code, path, str(body)[:80]))
        assert not failures, failures[:10]


async def count(world: World, table: object) -> int:
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_every_new_form_refuses_a_missing_or_foreign_csrf_token(world: World) -> None:
    officer, leader, member, team = await cast(world)
    async with (
        browser(world, member.github) as members_,
        browser(world, officer.github) as officers,
    ):
        before = [await count(world, t) for t in (teams, members, applications, likes)]
        stolen = cookie(officers, "wap_csrf")  # a real token, but another session's
        for form in FORMS:
            path = form.format(team=team)
            for client, body in (
                (members_, {}),
                (members_, {"csrf": stolen}),
                (officers, {"csrf": "x" * 40}),
            ):
                fields = body | {
                    "category": "웹",
                    "like": "true",
                    "ids": str(leader.id),
                    "title": "Hijacked",
                    "genre": "웹",
                    "description": "x",
                    "slots": "웹: 1",
                }
                answer = await client.post(path, data=fields, headers=origin_of(client))
                assert answer.status_code in (200, 303, 403, 404), (path, answer.status_code)
                if answer.status_code == 303:
                    assert "auth.csrf_failed" in answer.headers["location"], (path, answer)
                if answer.status_code == 200:  # a form shown again, with the refusal
                    assert "CSRF 검증에 실패했습니다." in answer.text, path
        # A real token from another site's page (Origin elsewhere) is refused too.
        own = cookie(members_, "wap_csrf")
        answer = await members_.post(
            f"/teams/{team}/like",
            data={"csrf": own, "like": "true"},
            headers={"Origin": "https://evil.example"},
        )
        assert answer.status_code in (303, 403)
        after = [await count(world, t) for t in (teams, members, applications, likes)]
        assert after == before
        async with world.engine.connect() as connection:
            titles = (await connection.execute(select(teams.c.title))).scalars().all()
        assert "Hijacked" not in titles


async def test_the_edit_form_is_the_leaders_only(world: World) -> None:
    _officer, leader, member, team = await cast(world)
    base = str(world.client.base_url)
    async with (
        httpx.AsyncClient(base_url=base, timeout=30) as visitor,
        browser(world, member.github) as members_,
        browser(world, leader.github) as leaders,
    ):
        own = await leaders.get(f"/teams/{team}/edit")
        assert own.status_code == 200 and 'name="title"' in own.text
        for client in (visitor, members_):
            answer = await client.get(f"/teams/{team}/edit", headers={"Accept": "text/html"})
            assert answer.status_code == 303, answer.status_code
            assert not re.search(r'<form[^>]*action="/teams/\d+/edit"', answer.text)
        # A visitor is sent to sign in, a member who does not lead it back to the team.
        first = await visitor.get(f"/teams/{team}/edit")
        assert first.headers["location"] == "/login"
        second = await members_.get(f"/teams/{team}/edit")
        assert second.headers["location"] == f"/teams/{team}?error=permission.leader_only"
        # Posting the form anyway (with a valid token) is refused the same way, not answered
        # with the edit form filled in.
        await members_.get("/")
        posted = await members_.post(
            f"/teams/{team}/edit",
            data={"csrf": cookie(members_, "wap_csrf"), "title": "Mine now", "genre": "웹"},
            headers=origin_of(members_),
        )
        assert posted.status_code == 303, posted.status_code
        assert posted.headers["location"] == f"/teams/{team}?error=permission.leader_only"


TITLE = "\"'><svg onload=alert(1)>"
DESCRIPTION = (
    '<script>alert(1)</script> javascript:alert(1) https://a.com/"onmouseover=alert(1)\n'
    "- <img src=x onerror=alert(1)>\n\n&lt;b&gt; data:text/html,<b>x</b>"
)


async def test_a_hostile_title_and_description_stay_text_on_every_page(world: World) -> None:
    officer = await world.account("Officer", officer=True)
    leader = await world.account("Leader")
    pending = await open_team(world, leader, title=TITLE, description=DESCRIPTION)
    shown = await open_team(world, leader, officer, title=TITLE + "2", description=DESCRIPTION)
    async with browser(world, officer.github) as officers, browser(world, leader.github) as own:
        pages = [
            await officers.get("/"),
            await officers.get(f"/teams/{shown['id']}"),
            await officers.get(f"/teams/{pending['id']}"),
            await officers.get("/admin"),
            await own.get("/me"),
            await own.get(f"/teams/{shown['id']}/edit"),
            await officers.get("/?q=" + TITLE),
        ]
    for page in pages:
        assert page.status_code == 200, page.url
        for raw in ("<svg onload", "<script>alert", "<img src=x", "<b>x</b>", 'href="javascript'):
            assert raw not in page.text, (page.url, raw)
        assert 'onmouseover=alert(1)"' not in page.text


async def test_the_console_and_its_statistics_are_for_officers_only(world: World) -> None:
    member = await world.account("Member")
    pending = await world.account("Pending", status=MemberStatus.PENDING)
    base = str(world.client.base_url)
    async with (
        httpx.AsyncClient(base_url=base, timeout=30) as visitor,
        browser(world, member.github) as members_,
        browser(world, pending.github) as waiting,
    ):
        for client in (visitor, members_, waiting):
            answer = await client.get("/admin?page=2&mp=-1")
            assert answer.status_code in (303, 401, 403), answer.status_code
            assert "chart-" not in answer.text and "<svg" not in answer.text


async def test_odd_multipart_team_forms_are_never_a_server_error(world: World) -> None:
    _officer, leader, _member, team = await cast(world)
    async with browser(world, leader.github) as page:
        await page.get("/")
        csrf = cookie(page, "wap_csrf")
        fields = {
            "csrf": csrf,
            "title": "제목",
            "genre": "웹",
            "description": "설명",
            "slots": "웹: 1",
        }
        variants: list[dict[str, object]] = [
            {"files": {"image": ("x.png", b"not an image", "image/png")}},
            {"files": {"image": ("", b"", "application/octet-stream")}},
            {"files": {"title": ("t.txt", b"a file where text goes", "text/plain")}},
            {"files": {"image": ("x.svg", b"<svg onload=alert(1)/>", "image/svg+xml")}},
            {
                "files": [
                    ("image", ("a.png", b"1", "image/png")),
                    ("image", ("b.png", b"2", "image/png")),
                ]
            },
            {"files": [(f"f{i}", (f"{i}.txt", b"x", "text/plain")) for i in range(200)]},
        ]
        failures = []
        for path in (f"/teams/{team}/edit", "/teams/new"):
            for variant in variants:
                answer = await page.post(
                    path,
                    data=fields,
                    headers=origin_of(page),
                    **variant,  # type: ignore[arg-type]
                )
                if answer.status_code >= 500:
                    failures.append((path, answer.status_code, str(variant)[:60]))
        assert not failures, failures
