"""The web pages in a real browser (the distribution's Chromium, driven by Playwright)
against a real `wap serve` on the embedded default, seeded by `wap demo-seed`."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.pages import person, shot
from tests.club import demo_club
from wap.domain.terms import KST

ROOT = Path(__file__).resolve().parents[2]
WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("club")


@pytest.fixture(scope="module")
def server_log(home: Path) -> Path:
    return home / "serve.log"


@pytest.fixture(scope="module")
def server(home: Path, server_log: Path) -> Iterator[str]:
    with demo_club(home, server_log) as url:
        yield url


def test_a_member_and_an_officer_go_through_team_building(browser: Browser, server: str) -> None:
    leader = person(browser, server, "demo-leader")
    shot(leader, "journey-board-desktop")
    leader.goto("/teams/new")
    leader.fill("[name=title]", "브라우저로 만든 팀")
    leader.select_option("[name=genre]", "앱")
    leader.fill("[name=description]", "Playwright가 만든 팀입니다.")
    # The slot editor: rows of a category and a capacity; the script adds and removes rows.
    categories, capacities = (
        leader.locator("[name=slot_category]"),
        leader.locator("[name=slot_capacity]"),
    )
    expect(categories).to_have_count(3)
    leader.get_by_role("button", name="줄 추가").click()
    expect(categories).to_have_count(4)
    leader.get_by_role("button", name="줄 삭제 4").click()
    expect(categories).to_have_count(3)
    categories.nth(0).select_option("안드로이드")
    capacities.nth(0).fill("2")
    categories.nth(1).select_option("UI/UX 디자인")
    capacities.nth(1).fill("1")
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone(KST)
    leader.fill("[name=recruit_until]", deadline.strftime("%Y-%m-%dT%H:%M"))
    shot(leader, "slot-editor-desktop")
    leader.get_by_role("button", name="저장").click()
    expect(leader.locator(".flash.ok")).to_contain_text("운영진 승인")
    team_url = leader.url.split("?")[0]
    leader.goto(team_url + "/edit")
    expect(leader.locator("[name=recruit_until]")).to_have_value(
        deadline.strftime("%Y-%m-%dT%H:%M")
    )
    # The pending team can be found again, with its state, on 내 팀.
    leader.goto("/me")
    expect(leader.get_by_test_id("my-team").filter(has_text="브라우저로 만든 팀")).to_contain_text(
        "승인 대기"
    )

    # A refused form keeps what was typed and says why, in Korean.
    leader.goto("/teams/new")
    leader.fill("[name=title]", "브라우저로 만든 팀")
    leader.fill("[name=description]", "같은 이름")
    leader.locator("[name=slot_category]").nth(0).select_option("웹")
    leader.locator("[name=slot_capacity]").nth(0).fill("1")
    leader.get_by_role("button", name="저장").click()
    expect(leader.locator(".flash.error")).to_have_text("이미 사용 중인 팀 이름입니다.")
    expect(leader.locator("[name=description]")).to_have_value("같은 이름")

    officer = person(browser, server, "demo-officer")
    officer.goto("/admin")
    officer.locator("label", has_text="브라우저로 만든 팀").locator("input").check()
    expect(officer.get_by_test_id("export-term")).to_be_visible()
    shot(officer, "admin-desktop")
    officer.get_by_test_id("approve-teams").click()
    expect(officer.locator("label", has_text="브라우저로 만든 팀")).to_have_count(0)

    newbie = person(browser, server, "demo-newbie")
    newbie.goto(team_url)
    newbie.locator("form.apply", has=newbie.locator("input[value='안드로이드']")).locator(
        "[name=message]"
    ).fill("안드로이드 해보고 싶어요")
    newbie.locator("form.apply", has=newbie.locator("input[value='안드로이드']")).get_by_role(
        "button"
    ).click()
    expect(newbie.locator(".flash.ok")).to_have_text("지원했습니다.")
    # The slot shows the application instead of a second 지원하기.
    expect(newbie.get_by_test_id("applied")).to_have_text("지원함")
    newbie.get_by_test_id("like").click()
    expect(newbie.get_by_test_id("like")).to_contain_text("♥ 1")
    shot(newbie, "journey-team-desktop")

    leader.goto(team_url)
    expect(leader.get_by_test_id("application")).to_contain_text("안드로이드 해보고 싶어요")
    leader.get_by_test_id("application").get_by_role("button", name="수락").click()
    expect(leader.locator(".people")).to_contain_text("정새내")

    newbie.goto("/me")
    expect(newbie.get_by_test_id("my-application")).to_contain_text("수락")
    expect(newbie.get_by_test_id("unread")).to_have_text("1")
    shot(newbie, "me-desktop")
    newbie.goto("/notifications")
    expect(newbie.get_by_test_id("notice").first).to_contain_text("수락되었습니다")

    leader.goto(team_url)
    leader.once("dialog", lambda dialog: dialog.accept())  # an irreversible action asks first
    leader.get_by_test_id("complete").click()
    expect(leader.locator(".flash.ok")).to_have_text("모집을 완료했습니다.")
    leader.goto("/?status=completed")
    expect(leader.locator(".card", has_text="브라우저로 만든 팀")).to_have_count(1)

    phone = person(browser, server, "demo-member", width=390)
    shot(phone, "journey-board-phone")
    phone.goto(team_url)
    shot(phone, "journey-team-phone")
    phone.goto("/me")
    shot(phone, "me-phone")
    phone.goto("/teams/new")
    expect(phone.locator("[name=slot_category]")).to_have_count(3)
    shot(phone, "slot-editor-phone")


def test_a_new_visitor_sees_the_board_and_sign_in(browser: Browser, server: str) -> None:
    page = browser.new_page(base_url=server, locale="ko-KR")
    page.goto("/")
    expect(page.locator(".card").first).to_be_visible()
    page.goto("/login")
    expect(page.get_by_test_id("demo")).to_be_visible()
    shot(page, "login-desktop")


def test_a_newcomer_signs_up_and_an_officer_approves(
    browser: Browser, server: str, server_log: Path
) -> None:
    newcomer = browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, locale="ko-KR"
    ).new_page()
    newcomer.goto("/login")
    newcomer.get_by_test_id("demo").click()
    newcomer.get_by_test_id("demo-demo-newcomer").click()
    newcomer.goto("/register")
    newcomer.fill("[name=email]", "newcomer@pukyong.ac.kr")
    newcomer.get_by_role("button", name="인증 코드 받기").click()
    expect(newcomer.locator(".flash.ok")).to_contain_text("newcomer@pukyong.ac.kr")
    # The embedded default writes mail to the log: that is where the code is.
    code = ""
    for _ in range(50):
        found = re.findall(
            r"WAP 가입 인증 코드: ([A-Z0-9]{6})", server_log.read_text(errors="replace")
        )
        if found:
            code = found[-1]
            break
        time.sleep(0.1)
    assert code
    newcomer.fill("[name=email_code]", "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")
    newcomer.fill("[name=name]", "새친구")
    newcomer.fill("[name=student_number]", "202488888")
    newcomer.get_by_role("button", name="가입하기").click()
    # Refused by the server: its message, in Korean, and the form keeps what was typed.
    expect(newcomer.locator(".field-error")).to_have_text("인증 코드가 일치하지 않습니다.")
    expect(newcomer.locator("[name=student_number]")).to_have_value("202488888")
    shot(newcomer, "register-phone")
    newcomer.fill("[name=name]", "새친구")
    newcomer.fill("[name=email_code]", code)
    newcomer.get_by_role("button", name="가입하기").click()
    expect(newcomer).to_have_url(re.compile(r"/waiting$"))
    shot(newcomer, "waiting-phone")

    officer = person(browser, server, "demo-officer")
    officer.goto("/admin")
    officer.locator("label", has_text="새친구").locator("input").check()
    officer.get_by_role("button", name="승인").first.click()
    expect(officer.get_by_test_id("members-table")).to_contain_text("새친구")
    shot(officer, "admin-after-approval-desktop")
    phone_officer = person(browser, server, "demo-officer", width=390)
    phone_officer.goto("/admin")
    shot(phone_officer, "admin-phone")

    newcomer.goto("/notifications")
    expect(newcomer.get_by_test_id("notice").first).to_contain_text("가입이 승인되었습니다")
    shot(newcomer, "notifications-phone")


def test_a_refused_profile_keeps_what_was_typed(browser: Browser, server: str) -> None:
    page = person(browser, server, "demo-designer")
    page.goto("/me")
    page.fill("[name=bio]", "새 소개 글")
    page.fill("[name=links]", "ftp://not-a-web-link")
    page.get_by_role("button", name="저장").click()
    expect(page.locator(".field-error")).to_have_text("요청 형식이 올바르지 않습니다.")
    expect(page.locator("[name=bio]")).to_have_value("새 소개 글")
    expect(page.locator("[name=links]")).to_have_value("ftp://not-a-web-link")
