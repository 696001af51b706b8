"""The board and a team's page in a real browser (the distribution's Chromium, driven by
Playwright), at desktop (1280) and phone (390) widths, against a real `wap serve` seeded by
`wap demo-seed` plus ten teams this module opens: click a card, filter by changing a select,
press 더 보기, the empty state and its reset, the like toggle, a keyboard path, and the same
board without JavaScript."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import person, shot
from tests.club import demo_club

EXTRA_TEAMS = 10  # with the demo's three: 13 recruiting teams, a board of 12 and one more
RICH = (
    "함께 동아리 게시판을 만들 분을 찾습니다.\n매주 수요일 저녁에 모여요.\n\n"
    "- 백엔드: Python, Litestar\n- 프론트: 순수 HTML과 CSS\n\n"
    "1. 기획\n2. 개발\n3. 발표\n\n"
    "저장소는 https://github.com/wap/board 입니다. <script>alert(1)</script>"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("board-club")
    with demo_club(home, home / "serve.log") as url:
        yield url


def call(page: Page, method: str, path: str, body: object = None) -> Any:
    """The JSON API from inside the page, as app.js calls it: the cookie session and the
    page's CSRF token in ``X-CSRF-Token``."""
    answer = page.evaluate(
        """async ([method, path, body]) => {
            const csrf = document.querySelector("[name=csrf]").value;
            const r = await fetch(path, {
                method, credentials: "same-origin",
                headers: {"X-CSRF-Token": csrf, "Content-Type": "application/json"},
                body: body === null ? undefined : JSON.stringify(body),
            });
            return {status: r.status, text: await r.text()};
        }""",
        [method, path, body],
    )
    assert answer["status"] < 300, answer
    return json.loads(answer["text"]) if answer["text"] else None


def upload_thumbnail(page: Page, team_id: int) -> None:
    """A picture drawn on a canvas, uploaded as the team's image (the board shows its
    thumbnail)."""
    status = page.evaluate(
        """async (teamId) => {
            const canvas = document.createElement("canvas");
            canvas.width = 640; canvas.height = 360;
            const g = canvas.getContext("2d");
            const grad = g.createLinearGradient(0, 0, 640, 360);
            grad.addColorStop(0, "#2a5bd7"); grad.addColorStop(1, "#7fb3ff");
            g.fillStyle = grad; g.fillRect(0, 0, 640, 360);
            g.fillStyle = "#fff"; g.font = "bold 64px sans-serif"; g.fillText("WAP", 40, 200);
            const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
            const form = new FormData();
            form.append("image", blob, "board.png");
            const csrf = document.querySelector("[name=csrf]").value;
            const r = await fetch("/api/v1/teams/" + teamId + "/image", {
                method: "PUT", credentials: "same-origin",
                headers: {"X-CSRF-Token": csrf}, body: form,
            });
            return r.status;
        }""",
        team_id,
    )
    assert status == 200


@pytest.fixture(scope="module")
def club(browser: Browser, server: str) -> dict[str, int]:
    """Ten more recruiting teams by the demo leader, approved by the demo officer; the newest
    has a rich description, a picture and a deadline in two days. Returns titles → ids."""
    leader = person(browser, server, "demo-leader")
    made: dict[str, int] = {}
    deadline = (datetime.now(UTC) + timedelta(days=2, hours=2)).isoformat()
    for n in range(EXTRA_TEAMS):
        newest = n == EXTRA_TEAMS - 1
        title = "함께 만드는 게시판" if newest else f"스터디 팀 {n + 1:02d}"
        team = call(
            leader,
            "POST",
            "/api/v1/teams",
            {
                "title": title,
                "genre": "앱" if n % 2 else "웹",
                "description": RICH if newest else f"{n + 1}번째 스터디 팀입니다.",
                "slots": [{"category": "웹", "capacity": 2}, {"category": "파이썬", "capacity": 1}],
                "links": [],
                **({"recruit_until": deadline} if newest or n == 3 else {}),
            },
        )
        made[title] = int(team["id"])
    upload_thumbnail(leader, made["함께 만드는 게시판"])
    officer = person(browser, server, "demo-officer")
    approved = call(officer, "POST", "/api/v1/admin/teams/approve", {"ids": list(made.values())})
    assert sorted(approved["done"]) == sorted(made.values())
    leader.context.close()
    officer.context.close()
    return made


@pytest.mark.parametrize(
    ("width", "login", "suffix"),
    [(1280, "demo-member", "desktop"), (390, "demo-newbie", "phone")],
)
def test_browse_filter_page_and_open_a_team(
    browser: Browser, server: str, club: dict[str, int], width: int, login: str, suffix: str
) -> None:
    page = person(browser, server, login, width=width)
    cards = page.locator(".grid .card")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("팀 찾기")
    expect(cards).to_have_count(12)
    newest = cards.first
    expect(newest).to_contain_text("함께 만드는 게시판")
    expect(newest.locator(".thumb")).to_be_visible()
    expect(newest.get_by_test_id("places")).to_have_text("3자리 남음")
    expect(newest.locator(".tag.dday")).to_have_text(re.compile(r"^D-[1-3]$"))  # KST days
    expect(newest.locator(".avatar")).to_have_text("이")  # the leader has no picture
    # Every filter has its label.
    for name in ("상태", "장르", "분야", "검색어"):
        expect(page.get_by_label(name, exact=True)).to_be_visible()
    shot(page, f"board-{suffix}")

    # 더 보기 appends the next page in place and hands the focus to its first card.
    page.get_by_role("link", name="더 보기").click()
    expect(cards).to_have_count(13)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="더 보기")).to_have_count(0)
    expect(cards.nth(12).locator(".card-link")).to_be_focused()
    expect(cards.nth(12)).to_contain_text("WAP 동아리 게시판")  # the oldest

    # A filter applies as soon as its select changes.
    page.get_by_label("장르", exact=True).select_option("게임")
    expect(page).to_have_url(re.compile(r"genre=%EA%B2%8C%EC%9E%84"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("픽셀 던전")
    page.get_by_label("분야", exact=True).select_option("파이썬")
    expect(page.get_by_test_id("empty")).to_contain_text("조건에 맞는 팀이 없습니다")
    page.get_by_role("link", name="조건 초기화").click()
    expect(cards).to_have_count(12)
    page.get_by_label("분야", exact=True).select_option("파이썬")
    expect(cards).to_have_count(10)
    # The keyword box: typed, then Enter.
    page.get_by_label("검색어", exact=True).fill("스터디 팀 03")
    page.get_by_label("검색어", exact=True).press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("스터디 팀 03")

    # The whole card is the link: a click on its tags (not its title) opens the team.
    page.goto("/")
    newest.click(position={"x": 12, "y": 12})  # its picture's corner
    expect(page).to_have_url(re.compile(rf"/teams/{club['함께 만드는 게시판']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("함께 만드는 게시판")
    description = page.get_by_test_id("description")
    expect(description.locator("p")).to_have_count(2)
    expect(description.locator("ul li")).to_have_count(2)
    expect(description.locator("ol li")).to_have_count(3)
    expect(description.locator("a")).to_have_attribute("rel", "noopener nofollow ugc")
    expect(description).to_contain_text("<script>alert(1)</script>")  # shown, not run
    like = page.get_by_test_id("like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_contain_text("♥ 1")
    # The leader's name leads to the profile, which shows the stack and the GitHub account.
    shot(page, f"team-{suffix}")
    page.locator(".meta a.who").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("이리더")
    expect(page.get_by_test_id("stack")).to_contain_text("TypeScript")
    expect(page.get_by_test_id("github")).to_have_attribute(
        "href", "https://github.com/demo-leader"
    )
    like_back = person(browser, server, login, width=width)  # put the like back for the next run
    like_back.goto(f"/teams/{club['함께 만드는 게시판']}")
    like_back.get_by_test_id("like").click()
    expect(like_back.get_by_test_id("like")).to_have_attribute("aria-pressed", "false")
    page.context.close()
    like_back.context.close()


BORDER_CONTRAST = """() => {
    const lum = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const page = 1;  // the pages are white (body has no background of its own)
    const fields = document.querySelectorAll("main input:not([type=hidden]), main select");
    return [...fields].map((field) => {
        const border = lum(getComputedStyle(field).borderTopColor);
        const [hi, lo] = [Math.max(border, page), Math.min(border, page)];
        return (hi + 0.05) / (lo + 0.05);
    });
}"""


def test_the_keyboard_opens_a_card(browser: Browser, server: str, club: dict[str, int]) -> None:
    page = browser.new_page(base_url=server, locale="ko-KR")
    page.goto("/")
    # The fields' borders stand out from the page at least 3:1 (WCAG 1.4.11).
    ratios = page.evaluate(BORDER_CONTRAST)
    assert len(ratios) == 4 and min(ratios) >= 3, ratios
    # Tab from the search button to the first card, then Enter.
    page.get_by_role("button", name="찾기").focus()
    page.keyboard.press("Tab")
    expect(page.locator(".card-link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/teams/{club['함께 만드는 게시판']}$"))
    page.context.close()


def test_without_javascript_the_board_still_filters_and_pages(
    browser: Browser, server: str, club: dict[str, int]
) -> None:
    context = browser.new_context(base_url=server, locale="ko-KR", java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    cards = page.locator(".grid .card")
    expect(cards).to_have_count(12)
    page.get_by_role("link", name="더 보기").click()
    expect(page).to_have_url(re.compile(r"cursor="))
    expect(cards).to_have_count(1)
    page.goto("/")
    page.get_by_label("장르", exact=True).select_option("앱")
    expect(page).to_have_url(re.compile(r"/$"))  # nothing happens on change without the script
    page.get_by_role("button", name="찾기").click()
    expect(page).to_have_url(re.compile(r"genre=%EC%95%B1"))
    expect(cards).to_have_count(1 + EXTRA_TEAMS // 2)
    context.close()
