"""Live updates in a real browser: two people (two browser contexts) on a real `wap serve`
(the embedded default). The applicant's team page shows the leader's accept, and their inbox
badge the notice, within 2 s and without a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.pages import person
from tests.club import demo_club


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("live-club")
    with demo_club(home, home / "serve.log") as url:
        yield url


def test_the_applicants_page_shows_the_accept_within_2_seconds(
    browser: Browser,
    live_server: str,
) -> None:
    applicant = person(browser, live_server, "demo-designer")
    applicant.goto("/")
    applicant.locator(".card", has_text="픽셀 던전").locator("a").first.click()
    expect(applicant.locator("h1")).to_contain_text("픽셀 던전")
    team_url = applicant.url.split("?")[0]
    unity = applicant.locator("[data-live-slot='유니티']")
    expect(unity).to_have_text("0/2")
    applicant.locator("form.apply", has=applicant.locator("input[value='유니티']")).get_by_role(
        "button"
    ).click()
    expect(applicant.locator(".flash.ok")).to_have_text("지원했습니다.")
    expect(applicant.get_by_test_id("unread")).to_have_count(0)
    # The page listens (its stream's first event came); nothing below reloads it.
    expect(applicant.locator("[data-live-team]")).to_have_attribute("data-live-state", "on")
    expect(applicant.locator("[data-live-inbox]")).to_have_attribute("data-live-state", "on")
    assert applicant.evaluate("() => (window.notReloaded = true)") is True

    leader = person(browser, live_server, "demo-leader")
    leader.goto(team_url)
    leader.get_by_test_id("application").filter(has_text="유니티").get_by_role(
        "button", name="수락"
    ).click()
    expect(leader.locator(".people")).to_contain_text("최디자")

    expect(applicant.locator("[data-live-slot='유니티']")).to_have_text("1/2", timeout=2000)
    expect(applicant.get_by_test_id("unread")).to_have_text("1", timeout=2000)
    assert applicant.evaluate("() => window.notReloaded") is True
    assert re.search(r"/teams/\d+", applicant.url)
