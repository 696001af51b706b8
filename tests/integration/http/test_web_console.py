"""The officer console over real HTTP on SQLite and MariaDB: the week's numbers (counted by
the database, KST days), the queues (headers, paging, empty states, success messages) and the
audit log (paged, with the officers' names)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import update

from tests.builders import NOW
from tests.integration.http.conftest import Account, World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import landed, post_form
from tests.integration.http.test_web_sessions import browser
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.tables import applications, teams
from wap.adapters.sql.touched import Touched
from wap.domain.catalog import Position
from wap.domain.members import GitHubIdentity, MemberStatus, Name, NewMember, StudentNumber
from wap.domain.terms import KST

_ids = itertools.count(70_000)


def chart(page: str, chart_id: str) -> dict[str, list[int]]:
    """A chart's numbers, read from its table: row label → values."""
    found = re.search(rf'data-testid="{chart_id}-table">(.*?)</table>', page, re.S)
    assert found, f"no {chart_id} in the page"
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', found[1], re.S)
    return {
        unescape(label): [int(v) for v in re.findall(r'<td class="num">(\d+)</td>', cells)]
        for label, cells in rows
    }


def kst_label(moment: datetime) -> str:
    local = moment.astimezone(KST)
    return f"{local.month}월 {local.day}일 ({'월화수목금토일'[local.weekday()]})"


async def pending_signups(world: World, count: int) -> list[int]:
    """``count`` finished sign-ups waiting for an officer, stored directly."""
    ids = []
    async with create_sessionmaker(world.engine)() as session:
        members = SqlMemberRepository(session, Touched())
        for n in range(count):
            github_id = next(_ids)
            person = NewMember.signed_in(GitHubIdentity(github_id, f"wait{github_id}"), NOW)
            person.register(
                name=Name("대기" + "가나다라마바사아자차카타파하"[n % 14] * 2),
                student_number=StudentNumber(f"{github_id:09d}"),
                position=Position.DESIGNER,
                email=f"wait{github_id}@pukyong.ac.kr",
                as_officer=False,
            )
            ids.append((await members.add(person)).id)
        await session.commit()
    return ids


async def apply(world: World, team_id: int, who: Account, category: str = "웹") -> int:
    applied = await world.client.post(
        f"/api/v1/teams/{team_id}/applications", json={"category": category}, headers=who.auth
    )
    assert applied.status_code == 201, applied.text
    return int(applied.json()["id"])


async def test_the_week_in_numbers_counted_by_the_database(world: World) -> None:
    officer = await world.account("김운영", officer=True)
    leader_a, leader_b, leader_c = (
        await world.account("이팀장"), await world.account("박팀장"), await world.account("최팀장")
    )  # fmt: skip
    joined, applicant = await world.account("정합류"), await world.account("한지원")
    await world.account("오대기", status=MemberStatus.PENDING)  # not approved: not counted
    a = await open_team(world, leader_a, officer, title="가 팀")
    await open_team(world, leader_b, None, title="나 팀")  # pending
    c = await open_team(world, leader_c, officer, title="다 팀")
    accepted = await apply(world, a["id"], joined)
    done = await world.client.post(
        f"/api/v1/teams/{a['id']}/applications/{accepted}/accept", headers=leader_a.auth
    )
    assert done.status_code == 200, done.text
    await apply(world, a["id"], applicant, "UI/UX 디자인")
    late = await apply(world, c["id"], applicant)
    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(KST).date(), datetime.min.time(), tzinfo=KST)
    async with world.engine.begin() as connection:
        # 다 팀's deadline has passed: closed, its places no longer open.
        await connection.execute(
            update(teams)
            .where(teams.c.id == c["id"])
            .values(recruit_until=now - timedelta(hours=1))
        )
        # One minute before today's KST midnight is yesterday in Seoul (15:00 UTC the day before).
        await connection.execute(
            update(applications)
            .where(applications.c.id == late)
            .values(created_at=midnight - timedelta(minutes=1))
        )

    async with browser(world, officer.github) as client:
        page = (await client.get("/admin")).text

    positions = chart(page, "chart-positions")
    # Approved: the officer, three leaders, two members; placed: in a recruiting team
    # (가 팀's leader and member, 다 팀's leader), not 나 팀's leader (pending).
    assert positions == {"백엔드": [3, 3], "프론트엔드": [0, 0], "AI": [0, 0], "디자이너": [0, 0]}
    # 가 팀: 웹 2 (1 taken), UI/UX 디자인 1; 다 팀 is closed, 나 팀 pending.
    assert chart(page, "chart-slots") == {"웹": [1], "UI/UX 디자인": [1]}
    days = chart(page, "chart-applications")
    assert len(days) == 7
    assert days[kst_label(now)] == [2]
    assert days[kst_label(midnight - timedelta(minutes=1))] == [1]
    assert sum(v[0] for v in days.values()) == 3
    assert chart(page, "chart-teams") == {
        "승인 대기": [1],
        "모집 중": [1],
        "마감": [1],
        "완료": [0],
    }
    # The SVG says the same numbers, as an image with a name and a description.
    assert (
        'role="img"' in page
        and 'aria-labelledby="chart-positions-title chart-positions-desc"' in page
    )
    assert "백엔드: 배치 3명, 미배치 3명" in page
    assert "<script" not in re.split(r"<main[^>]*>", page)[1]  # the charts need no script


async def test_queues_page_show_headers_and_hide_actions_when_empty(world: World) -> None:
    officer = await world.account("김운영", officer=True)
    async with browser(world, officer.github) as client:
        empty = (await client.get("/admin")).text
        assert 'data-testid="signup-queue-empty"' in empty
        assert 'data-testid="team-queue-empty"' in empty
        assert (
            "가입 대기 중인 회원이 없습니다." in empty and "승인을 기다리는 팀이 없습니다." in empty
        )
        for action in ("/admin/members/approve", "/admin/members/reject", "/admin/teams/approve",
                       "/admin/teams/reject"):  # fmt: skip
            assert f'formaction="{action}"' not in empty

        waiting = await pending_signups(world, 23)
        first = (await client.get("/admin")).text
        queue = re.search(r'data-testid="signup-queue">(.*?)</table>', first, re.S)
        assert queue and queue[1].count('data-testid="pending-member"') == 20
        headers = re.findall(r'<th scope="col">(.*?)</th>', queue[1])
        assert headers == ["이름 (선택)", "학번", "포지션", "이메일", "신청일"]
        assert "가입 대기 (23)" in first
        nxt = re.search(r'href="([^"]*)" rel="next" data-testid="mp-next"', first)
        assert nxt and "mp=2" in nxt[1]
        second = (await client.get(unescape(nxt[1]).split("#")[0])).text
        later = re.search(r'data-testid="signup-queue">(.*?)</table>', second, re.S)
        assert later and later[1].count('data-testid="pending-member"') == 3
        assert 'rel="prev"' in second and "2 / 2" in second
        # Reject asks first; the batch ends with its own success message.
        assert re.search(r'formaction="/admin/members/reject"[^>]*data-confirm="', first)

        nothing = await post_form(client, "/admin/members/approve", {}, "/admin")
        assert landed(nothing) == ("/admin", {"notice": "nothing_chosen"})
        token = re.search(r'name="csrf" value="([^"]+)"', first)
        assert token
        approved = await client.post(
            "/admin/members/approve",
            data={"csrf": token[1], "ids": [str(i) for i in waiting]},
            headers={"Origin": str(client.base_url).rstrip("/")},
        )
        assert landed(approved) == ("/admin", {"notice": "members_approved"})
        after = (await client.get(approved.headers["location"])).text
        assert '<p class="flash ok" role="status">가입을 승인했습니다.</p>' in after
        assert 'data-testid="signup-queue-empty"' in after
        # The members' table: Korean headers, roles in words.
        members = re.search(r'data-testid="members-table">(.*?)</table>', after, re.S)
        assert members
        assert re.findall(r'<th scope="col">(.*?)</th>', members[1]) == [
            "이름 (선택)", "학번", "포지션", "역할", "역할 변경"
        ]  # fmt: skip
        assert ">운영진</td>" in members[1] and ">회원</td>" in members[1]
        assert "officer</td>" not in members[1]


async def test_the_audit_log_pages_with_the_officers_names(world: World) -> None:
    officer = await world.account("김운영", officer=True)
    other = await world.account("박간부", officer=True)
    waiting = await pending_signups(world, 22)
    first = await world.client.post(
        "/api/v1/admin/members/approve", json={"ids": waiting[:21]}, headers=officer.auth
    )
    assert first.json()["done"] == waiting[:21]
    promoted = await world.client.post(
        f"/api/v1/admin/members/{waiting[0]}/role", json={"role": "officer"}, headers=other.auth
    )
    assert promoted.status_code == 200, promoted.text
    # The API's audit log names the officer too (a field added beside actor_id).
    api = (await world.client.get("/api/v1/admin/audit", headers=officer.auth)).json()
    assert api["items"][0]["actor_id"] == other.id and api["items"][0]["actor_name"] == "박간부"
    assert api["total"] == 22

    async with browser(world, officer.github) as client:
        page = (await client.get("/admin")).text
        log = re.search(r'data-testid="audit-log">(.*?)</table>', page, re.S)
        assert log
        actors = re.findall(r'data-testid="audit-actor"><span class="name">(.*?)</span>', log[1])
        assert len(actors) == 20
        assert actors[0] == "박간부" and set(actors[1:]) == {"김운영"}
        assert "#" + str(officer.id) not in log[1]
        assert "역할 변경: 회원 → 운영진" in log[1]
        assert "가입 승인" in log[1]
        nxt = re.search(r'href="([^"]*)" rel="next" data-testid="ap-next"', page)
        assert nxt and "ap=2" in nxt[1] and nxt[1].endswith("#audit")
        second = (await client.get(unescape(nxt[1]).split("#")[0])).text
        rest = re.search(r'data-testid="audit-log">(.*?)</table>', second, re.S)
        assert rest and rest[1].count('data-testid="audit-entry"') == 2
        english = await client.get("/admin", headers={"Accept-Language": "en"})
        assert english.status_code == 200 and "Members by position" in english.text
        assert "Operator" not in english.text and "Former member" not in english.text
        # Odd page numbers are no crash: the first page.
        for odd in ("0", "-1", "²", "9" * 40, "abc"):
            shown = await client.get("/admin", params={"ap": odd, "mp": odd, "tp": odd})
            assert shown.status_code == 200, (odd, shown.text[:300])
