"""A person finds 护照 through search and through the 出境入境 theme, and reads its guide."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from yiwang.catalog.models import ImplementationItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _guide_shows_materials_and_limits(page: Page) -> None:
    expect(page.locator("#guide-title")).to_have_text("普通护照签发")
    expect(page.locator("#materials")).to_contain_text("居民身份证")
    expect(page.locator("#materials")).to_contain_text("近期免冠彩色照片")
    expect(page.locator("#legal-limit")).to_contain_text("15个工作日")
    expect(page.locator("#promised-limit")).to_contain_text("7个工作日")
    expect(page.locator("#promised-limit")).to_contain_text("压缩 53%")


def test_find_the_passport_by_search(
    page: Page, live_server: Any, catalog: dict[str, ImplementationItem]
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="搜索事项").fill("护照")
    page.get_by_role("button", name="搜索").first.click()
    expect(page.locator("#result-count")).to_contain_text("共 1 项")
    page.get_by_role("link", name="普通护照签发").click()
    _guide_shows_materials_and_limits(page)


def test_find_the_passport_by_theme(
    page: Page, live_server: Any, catalog: dict[str, ImplementationItem]
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="按主题办事").click()
    page.locator("#person-themes").get_by_role("link", name="出境入境").click()
    expect(page.locator("h1")).to_contain_text("出境入境")
    page.get_by_role("link", name="普通护照签发").click()
    _guide_shows_materials_and_limits(page)
