"""Rating in a real browser (Playwright + Chromium): a citizen rates a finished case on the
portal, and a tap on a window's evaluator tablet rates the officer signed in there."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.cases.models import Case
from yiwang.regions.models import Window
from yiwang.reviews import services
from yiwang.reviews.models import Review, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_rates_a_finished_case_very_dissatisfied_with_a_reason(
    page: Page, live_server: Any, citizen: Person, finished: Case
) -> None:
    page.goto(live_server.url + "/login/")
    page.fill("input[name=identifier]", citizen.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/me/$"))

    page.goto(live_server.url + f"/cases/{finished.pk}/")
    page.click("#action-rate")
    expect(page.locator("#reason-rule")).to_contain_text("请至少选择一项不满意的方面")
    page.get_by_label("非常不满意").check()
    page.click("#submit-rating")  # no reason yet: refused, nothing recorded
    expect(page.locator("#rating-indicators .field-error")).to_contain_text("请至少选择一项")
    assert not Review.objects.exists()

    page.get_by_label("非常不满意").check()
    page.get_by_label("办事效率").check()
    page.fill("textarea[name=text]", "审批时间太长")
    page.click("#submit-rating")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    expect(page.locator("#ratings")).to_contain_text("非常不满意")

    page.goto(live_server.url + f"/cases/{finished.pk}/")
    panel = page.locator("#case-ratings")
    expect(panel).to_contain_text("非常不满意")
    expect(panel).to_contain_text("办事效率")
    expect(panel).to_contain_text("审批时间太长")
    expect(page.locator("#action-rate")).to_have_text("追加评价")
    review = Review.objects.get()
    assert (review.level, review.channel, review.indicators) == ("5", "1", ["efficiency"])
    assert Ticket.objects.get().review == review


def test_a_tap_on_the_tablet_rates_the_officer_signed_in_at_the_window(
    page: Page, live_server: Any, officer: Staff, window: Window
) -> None:
    services.attendance_sign_in(staff=officer, window=window)
    start = f"/reviews/tablet/{window.pk}/{services.tablet_token(window)}/"
    page.goto(live_server.url + start)
    expect(page.locator("#serving-name")).to_have_text(officer.name)
    expect(page.locator("#window-label")).to_contain_text(f"{window.number}号窗口")

    page.click("#level-1")
    expect(page.locator("#thanks")).to_have_text("感谢您的评价！")
    review = Review.objects.get()
    assert (review.occasion, review.channel, review.level) == ("on_site", "4", "1")
    assert (review.officer_id, review.window_id) == (officer.pk, window.pk)

    # A few seconds later the tablet is back at the start, ready for the next person.
    expect(page.locator("#levels-form")).to_be_visible(timeout=10_000)
    expect(page).to_have_url(live_server.url + start)

    page.click("#level-4")  # below 满意: the reasons come first
    expect(page.locator("#chosen-level")).to_have_text("不满意")
    page.get_by_label("服务态度").check()
    page.click("#reasons-submit")
    expect(page.locator("#thanks")).to_be_visible()
    assert Review.objects.filter(level="4", indicators=["service_attitude"]).count() == 1
