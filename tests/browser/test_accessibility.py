"""Accessibility in a real browser: axe-core (from npm, tests/browser/package.json) runs on
every page for every kind of visitor, and a newcomer signs up with the keyboard alone.

Against a real `wap serve` on the embedded default, seeded by `wap demo-seed` (its own club:
the newcomer's sign-up changes it). A page passes when axe finds no violation of impact
``serious`` or ``critical`` among the WCAG 2.0/2.1 A and AA rules and the best practices."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.club import demo_club
from tests.conftest import IN_CI

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
GRAVE = ("serious", "critical")
PENDING_TEAM = "접근성 검사 팀"


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.exists():
        message = (
            f"axe-core is not installed at {AXE} "
            "(make test installs it: npm ci --prefix tests/browser)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("a11y-club")


@pytest.fixture(scope="module")
def server_log(home: Path) -> Path:
    return home / "serve.log"


@pytest.fixture(scope="module")
def server(home: Path, server_log: Path) -> Iterator[str]:
    with demo_club(home, server_log) as url:
        yield url


def visitor(browser: Browser, server: str, login: str | None = None) -> Page:
    """A page of a fresh browser context (Korean), signed in as the demo member ``login``.
    The CSP allows only the site's own scripts: the context bypasses it so that axe, injected
    as an inline script, can run."""
    context = browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, locale="ko-KR", bypass_csp=True
    )
    page = context.new_page()
    if login is not None:
        page.goto("/demo")
        page.get_by_test_id(f"demo-{login}").click()
        expect(page).to_have_url(re.compile(r"/$"))
    return page


def violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    """The serious and critical violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    result: dict[str, Any] = page.evaluate("rules => axe.run(document, {runOnly: rules})", RULES)
    return [v for v in result["violations"] if v.get("impact") in GRAVE]


def described(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(json.dumps(node["target"], ensure_ascii=False) for node in v["nodes"])
        for v in found
    )


def check(page: Page, axe: Path, path: str, status: int = 200) -> None:
    """The page at ``path`` answers ``status``, has one h1, and axe finds nothing grave."""
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response)
    problems = []
    headings = page.locator("h1").count()
    if headings != 1:
        problems.append(f"  {headings} h1 elements, not one")
    found = violations(page, axe)
    if found:
        problems.append(described(found))
    assert not problems, f"{path} ({page.url}):\n" + "\n".join(problems)


def team_path(page: Page, title: str) -> str:
    page.goto("/")
    href = page.locator(".card", has_text=title).locator("h3 a").get_attribute("href")
    assert href, title
    return href


@pytest.fixture(scope="module")
def club(browser: Browser, server: str) -> dict[str, str]:
    """The state the pages need: a team with a pending applicant (the leader's) and a pending
    team for the officer to review. Returns the pages' paths."""
    leader = visitor(browser, server, "demo-leader")
    applied_to = team_path(leader, "캠퍼스 맛집 지도")
    newbie = visitor(browser, server, "demo-newbie")
    newbie.goto(applied_to)
    newbie.locator("form.apply").first.locator("[name=message]").fill("함께하고 싶어요")
    newbie.locator("form.apply").first.get_by_role("button").click()
    expect(newbie.locator(".flash.ok")).to_be_visible()
    leader.goto("/teams/new")
    leader.fill("[name=title]", PENDING_TEAM)
    leader.fill("[name=description]", "운영진 검토를 기다리는 팀입니다.")
    leader.locator("[name=slot_category]").nth(0).select_option("웹")
    leader.locator("[name=slot_capacity]").nth(0).fill("2")
    leader.get_by_role("button", name="저장").click()
    expect(leader.locator(".flash.ok")).to_be_visible()
    pending = leader.url.split("?")[0].removeprefix(server)
    for context in (leader.context, newbie.context):
        context.close()
    return {"applied_to": applied_to, "pending": pending}


# Every page, for every kind of visitor: (who, path, status). ``{applied_to}`` is a team with
# a pending applicant (the leader's), ``{pending}`` a team waiting for an officer.
PAGES = [
    ("anonymous", "/", 200),
    ("anonymous", "/?status=completed", 200),
    ("anonymous", "/login", 200),
    ("anonymous", "/demo", 200),
    ("anonymous", "{applied_to}", 200),
    ("anonymous", "/members/2", 200),
    ("anonymous", "/no-such-page", 404),
    ("anonymous", "/teams/999999", 404),
    ("demo-member", "/", 200),
    ("demo-member", "{applied_to}", 200),
    ("demo-member", "/me", 200),
    ("demo-member", "/notifications", 200),
    ("demo-member", "/members/2", 200),
    ("demo-member", "/teams/new", 200),
    ("demo-leader", "{applied_to}", 200),
    ("demo-leader", "{applied_to}/edit", 200),
    ("demo-leader", "{pending}", 200),
    ("demo-leader", "/me", 200),
    ("demo-officer", "/admin", 200),
    ("demo-officer", "{pending}", 200),
    ("demo-officer", "/notifications", 200),
]


@pytest.fixture(scope="module")
def people(browser: Browser, server: str) -> Iterator[dict[str, Page]]:
    """One signed-in page per kind of visitor, made when first asked for."""
    made: dict[str, Page] = {}
    yield made
    for page in made.values():
        page.context.close()


@pytest.mark.parametrize(("who", "path", "status"), PAGES, ids=[f"{w}:{p}" for w, p, _ in PAGES])
def test_every_page_has_no_serious_violations(
    browser: Browser,
    server: str,
    axe: Path,
    club: dict[str, str],
    people: dict[str, Page],
    who: str,
    path: str,
    status: int,
) -> None:
    if who not in people:
        people[who] = visitor(browser, server, None if who == "anonymous" else who)
    page = people[who]
    check(page, axe, path.format(**club), status)
    if who == "demo-leader" and path == "{applied_to}":
        expect(page.get_by_test_id("application")).to_contain_text("함께하고 싶어요")
    if who == "demo-officer" and path == "{pending}":
        expect(page.get_by_test_id("approve-team")).to_be_visible()


def test_refused_forms_have_no_serious_violations(
    browser: Browser, server: str, axe: Path, people: dict[str, Page]
) -> None:
    """A refused form shows its messages beside the fields."""
    page = visitor(browser, server, "demo-member")
    page.goto("/teams/new")
    page.fill("[name=description]", "이름 없는 팀")
    page.locator("[name=title]").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name="저장").click()
    expect(page.locator(".flash.error, .field-error").first).to_be_visible()
    found = violations(page, axe)
    assert not found, "axe: a refused /teams/new:\n" + described(found)
    page.goto("/me")
    page.fill("[name=links]", "ftp://not-a-web-link")
    page.get_by_role("button", name="저장").click()
    expect(page.locator(".field-error")).to_be_visible()
    found = violations(page, axe)
    assert not found, "axe: a refused /me:\n" + described(found)
    page.context.close()


# The contrast of each visible field's border against what is behind it (WCAG 1.4.11).
BORDER_CONTRASTS = """() => {
    const luminance = color => {
        const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map(Number).map(c => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const behind = element => {
        for (let e = element.parentElement; e; e = e.parentElement) {
            const color = getComputedStyle(e).backgroundColor;
            if (!/rgba\\(.*, 0\\)$/.test(color) && color !== 'transparent') return color;
        }
        return 'rgb(255, 255, 255)';
    };
    const fields = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
        + 'select, textarea';
    return [...document.querySelectorAll(fields)].filter(e => e.offsetParent).map(e => {
        const [a, b] = [luminance(getComputedStyle(e).borderTopColor), luminance(behind(e))];
        return [e.name, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
}"""


@pytest.mark.parametrize(
    ("who", "path"),
    [("demo-member", "/me"), ("demo-member", "/teams/new"), ("anonymous", "/")],
)
def test_field_borders_have_three_to_one_contrast(
    browser: Browser, server: str, people: dict[str, Page], who: str, path: str
) -> None:
    if who not in people:
        people[who] = visitor(browser, server, None if who == "anonymous" else who)
    page = people[who]
    page.goto(path)
    contrasts = page.evaluate(BORDER_CONTRASTS)
    assert contrasts, path
    faint = [(name, round(ratio, 2)) for name, ratio in contrasts if ratio < 3]
    assert not faint, f"{path}: field borders under 3:1 {faint}"


def test_the_like_button_says_whether_it_is_pressed(
    browser: Browser, server: str, club: dict[str, str]
) -> None:
    page = visitor(browser, server, "demo-designer")
    page.goto(club["applied_to"])
    like = page.get_by_test_id("like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.focus()
    page.keyboard.press("Enter")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_contain_text("♥")
    page.reload()
    expect(page.get_by_test_id("like")).to_have_attribute("aria-pressed", "true")
    page.context.close()


def code_from(log: Path) -> str:
    """The embedded default writes mail to the server's log: the latest sign-up code."""
    for _ in range(100):
        found = re.findall(r"WAP 가입 인증 코드: ([A-Z0-9]{6})", log.read_text(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no sign-up code in the server's log")


def focused(page: Page) -> dict[str, str]:
    """The focused element: its name, tag, and the outline its :focus-visible style draws."""
    result: dict[str, str] = page.evaluate(
        """() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '',
                    text: (e.textContent || '').trim(),
                    visible: String(e.matches(':focus-visible')),
                    style: s.outlineStyle, width: s.outlineWidth};
        }"""
    )
    return result


def tab_to(page: Page, wanted: str, most: int = 40) -> dict[str, str]:
    """Presses Tab until the element named ``wanted`` (a form field's name, or a link's or
    button's text) has the focus; asserts it shows a visible focus outline."""
    for attempt in range(most):
        if attempt or page.evaluate("() => document.activeElement === document.body"):
            page.keyboard.press("Tab")  # else the field the page focused (autofocus) counts
        now = focused(page)
        # A button may say more to a screen reader: 지원하기 · 백엔드 (which slot), 수락 · 이름.
        if wanted in (now["name"], now["text"]) or now["text"].startswith(f"{wanted} · "):
            assert now["visible"] == "true", now
            assert now["style"] not in ("none", "") and now["width"] != "0px", now
            return now
    raise AssertionError(f"Tab never reached {wanted!r}")


def tab_until(page: Page, test: str, what: str, most: int = 80) -> None:
    """Presses Tab until ``test`` (a JavaScript function of the focused element) holds."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
            return
    raise AssertionError(f"Tab never reached {what}")


def test_a_newcomer_signs_up_and_an_officer_approves_with_the_keyboard(
    browser: Browser, server: str, server_log: Path, axe: Path
) -> None:
    page = visitor(browser, server)
    # Signing in: the demo sign-in with the keyboard.
    page.goto("/login")
    tab_to(page, "데모 회원으로 로그인")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/demo$"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.testid") == "demo-demo-newcomer":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    # Every page leads a registering member to the sign-up form (the board's own violations
    # are its case in PAGES: this checks the banner on a page of its own).
    expect(page.get_by_test_id("signup-banner")).to_contain_text("가입 신청을 마쳐 주세요")
    check(page, axe, "/notifications")
    tab_to(page, "가입 신청을 마쳐 주세요")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/register$"))
    check(page, axe, "/register")
    expect(page.get_by_text("코드를 먼저 받으세요")).to_be_visible()

    tab_to(page, "email")
    page.keyboard.type("newcomer@pukyong.ac.kr")
    page.keyboard.press("Tab")  # the 인증 코드 받기 button: the code step comes first
    assert focused(page)["text"] == "인증 코드 받기", focused(page)
    page.keyboard.press("Enter")
    expect(page.locator(".flash.ok")).to_contain_text("newcomer@pukyong.ac.kr")
    found = violations(page, axe)
    assert not found, "axe: /register after the code went out:\n" + described(found)
    code = code_from(server_log)

    tab_to(page, "email_code")
    page.keyboard.type("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")  # a wrong code first
    tab_to(page, "name")
    page.keyboard.type("키보드")
    tab_to(page, "student_number")
    page.keyboard.type("202477777")
    tab_to(page, "position")
    page.keyboard.press("ArrowDown")
    tab_to(page, "가입하기")
    page.keyboard.press("Enter")
    # Refused beside the field; the message is tied to it, the focus can go straight back.
    expect(page.locator(".field-error")).to_have_text("인증 코드가 일치하지 않습니다.")
    found = violations(page, axe)
    assert not found, "axe: a refused /register:\n" + described(found)
    tab_to(page, "email_code")
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    tab_to(page, "가입하기")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/waiting$"))
    check(page, axe, "/waiting")
    expect(page.locator("main")).to_contain_text("운영진")
    # Pending: no banner any more, the waiting page says what comes next.
    expect(page.get_by_test_id("signup-banner")).to_have_count(0)

    # An officer approves the sign-up with the keyboard; the newcomer hears of it.
    officer = visitor(browser, server, "demo-officer")
    officer.goto("/admin")
    tab_until(
        officer,
        "() => document.activeElement.dataset.testid === 'pending-member'"
        " && document.activeElement.parentElement.textContent.includes('키보드')",
        "the newcomer's sign-up",
    )
    officer.keyboard.press("Space")
    officer.keyboard.press("Tab")
    assert focused(officer)["text"] == "선택 승인", focused(officer)
    officer.keyboard.press("Enter")
    expect(officer.locator(".flash.ok")).to_be_visible()
    expect(officer.get_by_test_id("members-table")).to_contain_text("키보드")
    officer.context.close()
    page.goto("/notifications")
    expect(page.get_by_test_id("notice").first).to_contain_text("가입이 승인되었습니다")


def test_a_member_applies_and_a_leader_accepts_with_the_keyboard(
    browser: Browser, server: str
) -> None:
    page = visitor(browser, server, "demo-designer")
    team = team_path(page, "픽셀 던전")
    page.goto(team)
    # The first Tab reaches the skip link, shown while focused; it leads past the header.
    skip = tab_to(page, "본문으로 건너뛰기")
    assert skip["tag"] == "a"
    expect(page.locator("a.skip")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    tab_to(page, "message")
    page.keyboard.type("키보드로 지원합니다")
    page.keyboard.press("Tab")
    assert focused(page)["text"].startswith("지원하기"), focused(page)
    page.keyboard.press("Enter")
    expect(page.locator(".flash.ok")).to_have_text("지원했습니다.")
    page.context.close()

    leader = visitor(browser, server, "demo-leader")
    leader.goto(team)
    expect(leader.get_by_test_id("application")).to_contain_text("키보드로 지원합니다")
    tab_to(leader, "수락", most=80)
    leader.keyboard.press("Enter")
    expect(leader.locator(".flash.ok")).to_have_text("지원을 수락했습니다.")
    expect(leader.locator(".people")).to_contain_text("최디자")
    leader.context.close()
