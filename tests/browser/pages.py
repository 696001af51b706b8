"""What the browser tests share: who signs in (the demo sign-in), and screenshots."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def person(browser: Browser, server: str, login: str, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=server, viewport={"width": width, "height": 900}, locale="ko-KR"
    )
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("demo").click()
    page.get_by_test_id(f"demo-{login}").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
