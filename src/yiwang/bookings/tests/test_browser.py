"""In a real browser: a citizen books a slot, checks in at the hall's kiosk and gets a number; a
window officer (password + TOTP) calls it; the hall screen shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.accounts.tests.test_login import totp_now
from yiwang.bookings.tests.conftest import make_slot, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_check_in_call_and_show_on_the_screen(
    page: Page,
    browser: Browser,
    live_server: Any,
    citizen: Person,
    officer: Staff,
    xifeng_hall: Hall,
    business_licence: ImplementationItem,
) -> None:
    start = timezone.now() + dt.timedelta(minutes=10)
    if timezone.localtime(start + dt.timedelta(hours=1)).date() != timezone.localdate():
        pytest.skip("the slot would run past midnight, where check-in closes")
    make_slot(xifeng_hall, start, window=window_of(xifeng_hall, "B02"), capacity=2)
    url = live_server.url

    # The citizen signs in on the way to the booking page and books the slot.
    page.goto(f"{url}/bookings/new/?item={business_licence.code}")
    page.fill("input[name=identifier]", citizen.phone)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#item-name")).to_have_text("个体工商户登记")
    expect(page.locator("#slots")).to_contain_text("B02 企业开办窗口")
    page.locator("#slots").get_by_role("button", name="预约").click()

    # 我的预约 shows it, with its code.
    expect(page).to_have_url(f"{url}/bookings/mine/")
    row = page.locator("#bookings tbody tr").first
    expect(row.locator(".booking-state")).to_have_text("已预约")
    code = row.locator(".booking-code").inner_text()
    assert len(code) == 8

    # At the hall's kiosk, the code gives a priority number.
    page.goto(f"{url}/bookings/hall/{xifeng_hall.pk}/take/")
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="签到取号").click()
    expect(page.locator("#ticket-code")).to_have_text("Y001")

    # A window officer signs in with a second factor and calls the next number at B02.
    device = TOTPDevice.objects.create(user=officer.user, name="app", confirmed=True)
    desk = browser.new_page()
    desk.goto(f"{url}/bookings/staff/queue/")
    desk.fill("input[name=username]", "officer")
    desk.fill("input[name=password]", PASSWORD)
    desk.get_by_role("button", name="下一步").click()
    desk.fill("input[name=token]", totp_now(device))
    desk.get_by_role("button", name="登录").click()
    expect(desk.locator("h1")).to_have_text("排队叫号")
    desk.select_option("#window-select", label="西峰区政务服务中心 B02 企业开办窗口")
    desk.get_by_role("button", name="进入窗口").click()
    expect(desk.locator("#waiting-count")).to_have_text("1 人")
    desk.get_by_role("button", name="叫下一号").click()
    expect(desk.locator(".messages")).to_contain_text("请 Y001 号到 B02 窗口办理")
    expect(desk.locator("#current-ticket")).to_contain_text("Y001")

    # The hall screen shows who is called, and where.
    page.goto(f"{url}/bookings/hall/{xifeng_hall.pk}/screen/")
    expect(page.locator("#latest-code")).to_have_text("Y001")
    expect(page.locator("#latest-window")).to_have_text("B02")
    assert citizen.name not in page.content()

    # The citizen's booking now shows the number.
    page.goto(f"{url}/bookings/mine/")
    expect(page.locator("#bookings .booking-state").first).to_have_text("已签到（排队号 Y001）")
    desk.close()
