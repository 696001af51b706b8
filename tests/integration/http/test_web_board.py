"""The board and the team page as HTML (issue 16): cards with tags, places left, a D-day
badge, the leader's avatar, likes, views and the thumbnail; labelled filters, search, the two
empty states and cursor paging (더 보기); a team's description rendered safely, people
linked to their profiles, the like button's pressed state and one h1 a page."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.http.conftest import Account, World
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_team_building import open_team, png
from tests.integration.http.test_web_sessions import browser
from wap.domain.terms import KST

CARD = re.compile(r'<article class="card" data-testid="card">(.*?)</article>', re.S)


def main_of(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    found = re.search(r"<main[^>]*>(.*)</main>", page.text, re.S)
    assert found, page.text[:500]
    return found[1]


def cards(page: httpx.Response) -> list[str]:
    return CARD.findall(main_of(page))


def titles(page: httpx.Response) -> list[str]:
    return [
        html.unescape(t)
        for t in re.findall(r'<a class="card-link" href="/teams/\d+">([^<]*)</a>', page.text)
    ]


def card_titled(page: httpx.Response, title: str) -> str:
    found = [c for c in cards(page) if f">{html.escape(title)}</a>" in c]
    assert len(found) == 1, (title, titles(page))
    return found[0]


def more_link(page: httpx.Response) -> str | None:
    found = re.search(r'<a class="button" href="([^"]+)" data-more', page.text)
    return html.unescape(found[1]) if found else None


def one_h1(page: httpx.Response) -> None:
    assert len(re.findall(r"<h1[ >]", page.text)) == 1


def every_control_labelled(page: httpx.Response) -> None:
    """Each visible select, input and textarea in <main> has a <label for> its id or sits
    inside a <label>: a crude but honest check over the page's HTML."""
    body = main_of(page)
    controls = re.findall(r"<(?:select|textarea|input)\b[^>]*>", body)
    for control in controls:
        if 'type="hidden"' in control:
            continue
        named = re.search(r'\bid="([^"]+)"', control)
        if named and re.search(rf'<label for="{named[1]}">[^<]+</label>', body):
            continue
        at = body.index(control)
        opened, closed = body.rfind("<label", 0, at), body.rfind("</label>", 0, at)
        assert opened > closed, control


async def approved_team(world: World, leader: Account, officer: Account, **fields: Any) -> int:
    return int((await open_team(world, leader, officer, **fields))["id"])


# ---------------------------------------------------------------- empty states


async def test_an_empty_board_invites_the_first_team_and_a_narrow_search_offers_a_reset(
    world: World,
) -> None:
    board = await world.client.get("/")
    one_h1(board)
    every_control_labelled(board)
    assert "아직 팀이 없습니다." in main_of(board) and 'href="/teams/new"' in main_of(board)
    assert "조건에 맞는 팀이 없습니다." not in board.text
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    await approved_team(world, leader, officer, title="보이는 팀")
    for narrowed in ("/?q=없는검색어", "/?genre=게임", "/?category=딥러닝", "/?status=completed"):
        page = await world.client.get(narrowed)
        shown = main_of(page)
        assert "조건에 맞는 팀이 없습니다." in shown, narrowed
        assert '<a class="button" href="/">조건 초기화</a>' in shown
        assert "아직 팀이 없습니다." not in shown and not cards(page)
    # A filter the catalog does not know is said, in Korean, on the page: never a 500.
    for odd in ("/?genre=우주", "/?category=<script>", "/?cursor=!!!", "/?q=" + "가" * 500):
        page = await world.client.get(odd)
        assert page.status_code == 200, odd
        assert "<script>" not in main_of(page)
    assert "올바르지 않은 장르입니다." in main_of(await world.client.get("/?genre=우주"))


# ---------------------------------------------------------------- cards


async def test_a_card_shows_tags_places_deadline_leader_likes_views_and_thumbnail(
    world: World,
) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    joiner, fan = await world.account("Joiner"), await world.account("Fan")
    # The leader signs in again with a GitHub picture: the card shows it.
    picture = "https://avatars.test/leader.png"
    await world.sign_in(GitHubUser(leader.github.id, leader.github.login, avatar_url=picture))
    # Noon in Seoul three calendar days ahead: D-3 whatever the hour (D-days count KST days).
    deadline = (datetime.now(KST) + timedelta(days=3)).replace(hour=12, minute=0, second=0)
    team_id = await approved_team(
        world,
        leader,
        officer,
        title="카드 팀",
        genre="앱",
        slots=[{"category": "안드로이드", "capacity": 2}, {"category": "IOS", "capacity": 1}],
        recruit_until=deadline.isoformat(),
    )
    full_id = await approved_team(
        world, leader, officer, title="가득 찬 팀", slots=[{"category": "웹", "capacity": 1}]
    )
    for team, category in ((team_id, "안드로이드"), (full_id, "웹")):
        made = await world.client.post(
            f"/api/v1/teams/{team}/applications", json={"category": category}, headers=joiner.auth
        )
        accepted = await world.client.post(
            f"/api/v1/teams/{team}/applications/{made.json()['id']}/accept", headers=leader.auth
        )
        assert accepted.status_code == 200, accepted.text
    await world.client.put(f"/api/v1/teams/{team_id}/like", headers=fan.auth)
    image = await world.client.put(
        f"/api/v1/teams/{team_id}/image",
        files={"image": ("t.png", png(), "image/png")},
        headers=leader.auth,
    )
    assert image.status_code == 200, image.text
    thumbnail = image.json()["image_thumbnail_url"]
    await world.client.get(f"/teams/{team_id}")  # one view

    board = await world.client.get("/")
    card = card_titled(board, "카드 팀")
    assert '<span class="tag genre">앱</span>' in card
    assert '<li class="tag">IOS <b>0/1</b></li>' in card
    assert '<li class="tag">안드로이드 <b>1/2</b></li>' in card
    assert 'data-testid="places">2자리 남음</span>' in card
    assert '<span class="tag dday"' in card and ">D-3</span>" in card
    assert f'<img class="avatar s" src="{picture}" alt=""' in card and "Leader" in card
    assert f'<img class="thumb" src="{thumbnail}"' in card
    assert re.search(r'<span class="sr-only">좋아요</span> 1</span>', card)
    assert re.search(r"조회 [1-9]", card)
    # The whole card is one link, and nothing else in it is interactive.
    assert len(re.findall(r"<(a|button|input|select)\b", card)) == 1
    assert f'<a class="card-link" href="/teams/{team_id}">' in card
    # No place left: 마감, and the full slot is marked.
    full = card_titled(board, "가득 찬 팀")
    assert 'data-testid="places">마감</span>' in full and 'class="tag full"' in full
    # A leader without a picture: their initial in a circle, no external request.
    plain = await world.account("Plain")
    await approved_team(world, plain, officer, title="사진 없는 팀")
    card = card_titled(await world.client.get("/"), "사진 없는 팀")
    assert '<span class="avatar initial s" aria-hidden="true">P</span>' in card
    assert "<img" not in card


# ---------------------------------------------------------------- filters, search, paging


async def test_filters_search_and_more_pages_by_cursor(world: World) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    for n in range(14):
        await approved_team(world, leader, officer, title=f"웹 팀 {n:02d}", genre="웹")
    await approved_team(
        world,
        leader,
        officer,
        title="게임 팀",
        genre="게임",
        description="유니티로 만드는 던전",
        slots=[{"category": "유니티", "capacity": 2}],
    )
    first = await world.client.get("/")
    every_control_labelled(first)
    one_h1(first)
    assert len(cards(first)) == 12 and titles(first)[0] == "게임 팀"  # newest first
    more = more_link(first)
    assert more is not None and ">더 보기</a>" in first.text
    second = await world.client.get(more)
    assert len(cards(second)) == 3 and more_link(second) is None
    assert set(titles(first)).isdisjoint(titles(second))
    assert len(set(titles(first) + titles(second))) == 15

    # A filter narrows, shows itself chosen again, and 더 보기 keeps it.
    games = await world.client.get("/", params={"genre": "게임"})
    assert titles(games) == ["게임 팀"] and "<option selected>게임</option>" in games.text
    webs = await world.client.get("/", params={"genre": "웹"})
    assert len(cards(webs)) == 12
    more = more_link(webs)
    assert more is not None
    assert parse_qs(urlsplit(more).query)["genre"] == ["웹"]
    rest = await world.client.get(more)
    assert len(cards(rest)) == 2 and all(t.startswith("웹 팀") for t in titles(rest))
    by_role = await world.client.get("/", params={"category": "유니티"})
    assert titles(by_role) == ["게임 팀"]
    assert "<option selected>유니티</option>" in by_role.text
    # Keyword search over title and description; the box shows what was searched.
    for q in ("던전", "게임"):
        found = await world.client.get("/", params={"q": q})
        assert titles(found) == ["게임 팀"], q
        assert f'name="q" value="{q}"' in found.text
    assert titles(await world.client.get("/", params={"q": "웹 팀 03"})) == ["웹 팀 03"]
    # Completed teams have a board of their own.
    team_id = int(re.findall(r'href="/teams/(\d+)"', games.text)[0])
    done = await world.client.post(f"/api/v1/teams/{team_id}/complete", headers=leader.auth)
    assert done.status_code == 200, done.text
    completed = await world.client.get("/", params={"status": "completed"})
    assert titles(completed) == ["게임 팀"]
    assert 'data-testid="places">완료</span>' in cards(completed)[0]
    assert '<option value="completed" selected>' in completed.text
    assert "게임 팀" not in titles(await world.client.get("/"))


# ---------------------------------------------------------------- the team page


async def test_a_description_is_rendered_safely_with_paragraphs_lists_and_links(
    world: World,
) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    description = (
        "우리 팀을 소개합니다.\n둘째 줄.\n\n"
        "- 백엔드 <b>구함</b>\n* 프론트\n\n"
        "1. 기획\n2. 개발\n\n"
        "저장소 https://github.com/wap/board 를 보세요.\n"
        '<script>alert(1)</script><img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">클릭</a> javascript:alert(4) '
        'https://evil.test/"onmouseover="alert(5)'
    )
    team_id = await approved_team(world, leader, officer, description=description)
    page = await world.client.get(f"/teams/{team_id}")
    one_h1(page)
    shown = re.search(
        r'<div class="description" data-testid="description">(.*?)</div>', page.text, re.S
    )
    assert shown, page.text[:800]
    body = shown[1]
    assert body.startswith("<p>우리 팀을 소개합니다.<br>\n둘째 줄.</p>")
    assert "<ul><li>백엔드 &lt;b&gt;구함&lt;/b&gt;</li><li>프론트</li></ul>" in body
    assert "<ol><li>기획</li><li>개발</li></ol>" in body
    assert (
        '<a href="https://github.com/wap/board" rel="noopener nofollow ugc">'
        "https://github.com/wap/board</a>" in body
    )
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    for anchor in re.findall(r"<a [^>]*>", body):
        assert re.fullmatch(r'<a href="https://[^"<>\s]+" rel="noopener nofollow ugc">', anchor)
    assert 'onmouseover="' not in body
    # The team's own links say the same to search engines.
    assert 'href="https://github.com/wap/board" rel="noopener nofollow ugc"' in page.text


async def test_people_link_to_their_profiles_with_avatars_and_the_like_button_is_a_toggle(
    world: World,
) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    joiner, applicant = await world.account("Joiner"), await world.account("Applicant")
    team_id = await approved_team(world, leader, officer)
    made = await world.client.post(
        f"/api/v1/teams/{team_id}/applications", json={"category": "웹"}, headers=joiner.auth
    )
    await world.client.post(
        f"/api/v1/teams/{team_id}/applications/{made.json()['id']}/accept", headers=leader.auth
    )
    pending = await world.client.post(
        f"/api/v1/teams/{team_id}/applications",
        json={"category": "UI/UX 디자인", "message": "디자인 하고 싶어요"},
        headers=applicant.auth,
    )
    assert pending.status_code == 201, pending.text
    async with browser(world, leader.github) as client:
        page = await client.get(f"/teams/{team_id}")
        one_h1(page)
        every_control_labelled(page)
        people = re.search(r'<ul class="people">(.*?)</ul>', page.text, re.S)
        assert people
        for someone, letter in ((leader, "L"), (joiner, "J")):
            assert (
                f'<a class="who" href="/members/{someone.id}"><span class="avatar initial s" '
                f'aria-hidden="true">{letter}</span>' in people[1]
            )
        inbox = re.search(r'<li data-testid="application">(.*?)</li>', page.text, re.S)
        assert inbox and f'<a class="who" href="/members/{applicant.id}">' in inbox[1]
        assert "Applicant" in inbox[1] and "디자인 하고 싶어요" in inbox[1]
        # Irreversible actions ask first.
        for action in ("complete", "delete", "remove", "leader"):
            at = f'action="/teams/{team_id}/manage/{action}"'
            form = re.search(rf"<form [^>]*{at}[^>]*>", page.text)
            assert form and "data-confirm=" in form[0], action
    async with browser(world, applicant.github) as client:
        page = await client.get(f"/teams/{team_id}")
        assert 'data-testid="like" aria-pressed="false"' in page.text
        every_control_labelled(page)
        liked = await client.post(
            f"/teams/{team_id}/like",
            data={"csrf": _csrf(page), "like": "1"},
            headers={"Origin": str(client.base_url).rstrip("/")},
        )
        assert liked.status_code == 303 and "notice=liked" in liked.headers["location"]
        after = await client.get(liked.headers["location"])
        assert "좋아요를 바꿨습니다." in after.text
        assert 'data-testid="like" aria-pressed="true"' in after.text
        assert "<span data-count>1</span>" in after.text


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


async def test_a_profile_shows_the_stack_and_the_github_account(world: World) -> None:
    someone = await world.account("Stacked")
    saved = await world.client.patch(
        "/api/v1/members/me",
        json={"tech_stack": ["Python", "<React>"], "links": ["https://blog.test/me"]},
        headers=someone.auth,
    )
    assert saved.status_code == 200, saved.text
    page = await world.client.get(f"/members/{someone.id}")
    one_h1(page)
    shown = main_of(page)
    assert '<li class="tag">Python</li><li class="tag">&lt;React&gt;</li>' in shown
    assert f'href="https://github.com/{someone.github.login}"' in shown
    assert 'href="https://blog.test/me" rel="noopener nofollow ugc"' in shown
    assert '<span class="avatar initial l" aria-hidden="true">S</span>' in shown
    assert (await world.client.get("/members/999999")).status_code == 404
