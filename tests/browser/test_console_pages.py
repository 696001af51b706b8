"""The officer console in a real browser (Chromium, Playwright) against a seeded `wap serve`:
charts, queues, keyboard paths, confirmations, and the member table on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import person, shot
from tests.club import demo_club


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("console")
    with demo_club(home, home / "serve.log") as url:
        yield url


def open_team(page: Page, title: str) -> None:
    """The leader opens a team (it waits for an officer)."""
    page.goto("/teams/new")
    page.fill("[name=title]", title)
    page.fill("[name=description]", "운영진 콘솔 시험용 팀")
    page.locator("[name=slot_category]").nth(0).select_option("웹")
    page.locator("[name=slot_capacity]").nth(0).fill("2")
    page.get_by_role("button", name="저장").click()
    expect(page.locator(".flash.ok")).to_contain_text("운영진 승인")


def contrast_with_white(rgb: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main button')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map(e => e.outerHTML)"""


def test_the_console_on_a_desktop(browser: Browser, server: str) -> None:
    leader = person(browser, server, "demo-leader")
    open_team(leader, "콘솔 승인 팀")
    open_team(leader, "콘솔 거절 팀")

    officer = person(browser, server, "demo-officer")
    officer.goto("/admin")
    expect(officer.locator("h1")).to_have_count(1)
    # Four charts, each an image with a name; their numbers also as a table.
    charts = officer.locator("svg.chart[role=img]")
    expect(charts).to_have_count(4)
    expect(officer.get_by_role("img", name="포지션별 회원 배치")).to_be_visible()
    expect(officer.get_by_role("img", name="상태별 팀 수")).to_be_visible()
    officer.get_by_text("표로 보기").nth(3).click()
    teams = officer.get_by_test_id("chart-teams-table")
    expect(teams.locator("tr", has_text="승인 대기")).to_contain_text("2")
    # No sign-up waits: an empty-state line, no approve/reject buttons.
    expect(officer.get_by_test_id("signup-queue-empty")).to_be_visible()
    expect(officer.get_by_test_id("approve-members")).to_have_count(0)
    expect(officer.get_by_test_id("reject-members")).to_have_count(0)
    # Every control has a label; input borders have ≥ 3:1 contrast.
    assert officer.evaluate(UNLABELLED) == []
    border = officer.locator("#member-q").evaluate("e => getComputedStyle(e).borderTopColor")
    assert contrast_with_white(border) >= 3, border
    shot(officer, "console-desktop")

    # The keyboard path: tick a team, Tab to 선택 승인, Enter.
    row = officer.get_by_test_id("team-queue").locator("tr", has_text="콘솔 승인 팀")
    row.get_by_test_id("pending-team").focus()
    officer.keyboard.press("Space")
    for _ in range(8):
        officer.keyboard.press("Tab")
        if officer.evaluate("document.activeElement.dataset.testid") == "approve-teams":
            break
    else:
        pytest.fail("Tab never reached 선택 승인")
    officer.keyboard.press("Enter")
    expect(officer.locator(".flash.ok")).to_have_text("팀을 승인했습니다.")
    expect(officer.get_by_test_id("team-queue")).not_to_contain_text("콘솔 승인 팀")

    # Rejecting asks first: dismissed, nothing happens; accepted, the team goes.
    officer.get_by_test_id("team-queue").locator("label", has_text="콘솔 거절 팀").click()
    officer.once("dialog", lambda dialog: dialog.dismiss())
    officer.get_by_test_id("reject-teams").click()
    expect(officer.get_by_test_id("team-queue")).to_contain_text("콘솔 거절 팀")
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.get_by_test_id("reject-teams").click()
    expect(officer.locator(".flash.ok")).to_have_text("팀을 거절했습니다.")
    expect(officer.get_by_test_id("team-queue-empty")).to_be_visible()
    expect(officer.get_by_test_id("reject-teams")).to_have_count(0)
    # The audit log names the officer and says what happened, in Korean.
    log = officer.get_by_test_id("audit-log")
    expect(log.get_by_test_id("audit-entry").first).to_contain_text("팀 거절")
    expect(log.get_by_test_id("audit-actor").first).to_have_text("김운영")
    expect(log).not_to_contain_text("#")


def test_the_member_table_on_a_phone(browser: Browser, server: str) -> None:
    phone = person(browser, server, "demo-officer", width=390)
    phone.goto("/admin")
    rows = phone.get_by_test_id("member-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    # Nothing wider than the screen, and no Korean name nor number broken across lines.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    single_line = """e => {
      const lineHeight = parseFloat(getComputedStyle(e).lineHeight);
      return e.getClientRects().length === 1 && e.getBoundingClientRect().height < 1.5 * lineHeight;
    }"""
    for locator in (phone.get_by_test_id("member-name"), phone.get_by_test_id("member-number")):
        for n in range(locator.count()):
            cell = locator.nth(n)
            assert cell.evaluate(single_line), cell.inner_text()
    # Each card labels its values (the header row is only for screen readers).
    first = rows.first.locator("td").nth(1)
    assert first.evaluate("e => getComputedStyle(e, '::before').content") == '"학번"'
    # The charts fit the phone too.
    for n in range(4):
        box = phone.locator("svg.chart").nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(phone, "console-phone")
