"""A person opens the portal in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from yiwang.regions.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTIES = ["西峰区", "庆城县", "环县", "华池县", "合水县", "正宁县", "宁县", "镇原县"]


def test_home_page_shows_the_eight_counties(page: Page, live_server: Any) -> None:
    demo_load()
    page.goto(live_server.url + "/")
    expect(page).to_have_title("庆阳市一体化在线政务服务平台")
    counties = page.locator("#counties li[data-code]")
    expect(counties).to_have_count(8)
    for name in COUNTIES:
        expect(page.locator("#counties")).to_contain_text(name)
    # Follow a county to its own page.
    page.locator("#counties").get_by_text("环县", exact=True).click()
    expect(page.locator("h1")).to_contain_text("环县")
    expect(page.locator("#departments")).to_contain_text("环县公安局")


def test_deadline_calculator_marks_a_provisional_result(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/workdays/")
    page.fill("input[name=start]", "2026-12-15")
    page.fill("input[name=days]", "20")
    page.click("button[type=submit]")
    expect(page.locator("#deadline")).to_have_text("2027年1月12日")
    expect(page.locator("#provisional")).to_be_visible()
    page.fill("input[name=start]", "2026-02-13")
    page.fill("input[name=days]", "2")
    page.click("button[type=submit]")
    expect(page.locator("#deadline")).to_have_text("2026年2月24日")
    expect(page.locator("#provisional")).to_have_count(0)
