"""The matching round in a real browser against `wap serve` on the embedded default: an
officer opens a round, a leader offers the team's places, a member ranks with the up/down
buttons, the officer closes, previews and publishes, and the member sees the notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect

from tests.browser.pages import person, shot
from tests.browser.test_journeys import (  # noqa: F401 - pytest finds the fixtures by name
    home,
    server,
    server_log,
)
from wap.domain.terms import KST


def test_a_member_ranks_and_an_officer_previews_and_publishes(
    browser: Browser,
    server: str,  # noqa: F811
) -> None:
    officer = person(browser, server, "demo-officer")
    officer.goto("/rounds")
    deadline = (datetime.now(UTC) + timedelta(days=2)).astimezone(KST)
    officer.get_by_test_id("round-deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    officer.get_by_test_id("open-round").click()
    expect(officer.get_by_test_id("round")).to_have_attribute("data-state", "open")

    leader = person(browser, server, "demo-leader")
    leader.goto("/rounds")
    leader.get_by_test_id("opt-in").first.click()
    expect(leader.locator(".flash.ok")).to_be_visible()

    member = person(browser, server, "demo-newbie")
    member.goto("/rounds")
    choices = member.get_by_test_id("choice")
    member.get_by_test_id("add-choice").click()
    expect(choices).to_have_count(1)
    member.get_by_test_id("slot-select").select_option(index=1)
    member.get_by_test_id("add-choice").click()
    expect(choices).to_have_count(2)
    second = choices.nth(1).inner_text().split("▲")[0].strip()
    choices.nth(1).get_by_role("button", name="up").click()  # a form: works without script
    expect(choices.nth(0)).to_contain_text(second)
    shot(member, "round-member-desktop")

    officer.goto("/rounds")
    officer.get_by_test_id("run-round").click()
    expect(officer.get_by_test_id("placements")).to_contain_text("정새내")
    expect(officer.get_by_test_id("rank-counts")).to_contain_text("1지망 1명")
    shot(officer, "round-preview-desktop")

    # Adjustments are chosen by name: the pin form lists the round's members and its teams'
    # slots, and a pinned pair says so in the table.
    pin = officer.get_by_test_id("pin-form")
    pin.get_by_label("회원").select_option(label="정새내")
    assert pin.get_by_label("팀과 분야").locator("option").count() >= 2
    pin.get_by_role("button", name="고정").click()
    expect(officer.get_by_test_id("placements")).to_contain_text("(고정)")

    # On a phone each placement is a card whose values are labelled; nothing is wider than
    # the screen.
    phone = person(browser, server, "demo-officer", width=390)
    phone.goto(officer.url)
    row = phone.get_by_test_id("placements").locator("tbody tr").first
    label = row.locator("td").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"회원"'
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "round-preview-phone")
    officer.get_by_test_id("publish").click()
    expect(officer.get_by_test_id("published")).to_be_visible()

    member.goto("/notifications")
    expect(member.get_by_test_id("notice").first).to_contain_text("매칭 라운드 결과")
