"""A bad review walked end to end in a real browser: the citizen rates a finished case 非常不满意
with a reason, the department's window officer follows up and rectifies at once, the supervisor
closes the ticket, and the public page of the month shows the rectification without personal
data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.cases.models import Case
from yiwang.cases.tests.test_walk_browser import staff_page
from yiwang.reviews.models import Ticket, TicketState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bad_review_is_followed_up_rectified_closed_and_published(
    page: Page,
    browser: Browser,
    live_server: Any,
    citizen: Person,
    finished: Case,
    officer: Staff,
    supervisor: Staff,
) -> None:
    Staff.objects.filter(pk=officer.pk).update(name="王窗口")
    Staff.objects.filter(pk=supervisor.pk).update(name="赵监察")

    # The citizen rates the finished case 非常不满意, naming what fell short.
    page.goto(live_server.url + "/login/")
    page.fill("input[name=identifier]", citizen.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.goto(live_server.url + f"/cases/{finished.pk}/")
    page.click("#action-rate")
    page.get_by_label("非常不满意").check()
    page.get_by_label("办事效率").check()
    page.fill("textarea[name=text]", "审批时间太长，来回跑了三趟")
    page.click("#submit-rating")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    ticket = Ticket.objects.get()

    # The window officer finds the ticket, calls the citizen back and rectifies at once.
    window = staff_page(browser, live_server, officer)
    window.goto(live_server.url + "/workbench/")
    window.locator("#nav-reviews").click()
    row = window.locator(f'tr[data-ticket="{ticket.pk}"]')
    expect(row).to_contain_text("非常不满意")
    expect(row).to_contain_text("绿灯·正常")
    row.locator("a.ticket-link").click()
    expect(window.locator("#ticket-state")).to_have_text("待回访")
    expect(window.locator("#review-text")).to_contain_text("来回跑了三趟")
    expect(window.locator("#rater")).to_contain_text("张*")
    expect(window.locator("#rater")).not_to_contain_text(citizen.phone)
    window.select_option("#id_visit-method", "phone")
    window.fill("#id_visit-note", "电话联系申请人，反映情况属实")
    window.click("#submit-visit")
    expect(window.locator("#ticket-state")).to_have_text("已回访，待处理")
    window.get_by_label("立即整改").check()
    window.fill("#id_resolve-outcome", "已向申请人致歉，材料审核改为当日办结")
    window.click("#submit-resolve")
    expect(window.locator("#ticket-state")).to_have_text("已处理，待审核")
    expect(window.locator("#no-actions")).to_be_visible()

    # The supervisor finds it waiting in supervision and closes it.
    boss = staff_page(browser, live_server, supervisor)
    boss.goto(live_server.url + "/workbench/")
    boss.locator("#nav-reviews").click()
    boss.locator("#tab-supervision").click()
    boss.locator(f'#waiting tr[data-ticket="{ticket.pk}"] a').click()
    boss.fill("#id_close-note", "整改到位，同意办结")
    boss.click("#submit-close")
    expect(boss.locator("#ticket-state")).to_have_text("已办结")
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.CLOSED

    # The public page of the month shows the rectification, and nobody's personal data.
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(live_server.url + f"/publicity/reviews/?month={timezone.localdate():%Y-%m}")
    rectification = public.locator("#rectifications tr.rectification")
    expect(rectification).to_have_count(1)
    expect(rectification).to_contain_text(ticket.department.name)
    expect(rectification).to_contain_text("食品经营许可")
    expect(rectification).to_contain_text("立即整改")
    expect(rectification).to_contain_text("材料审核改为当日办结")
    expect(public.locator("#results")).to_contain_text(ticket.department.name)
    text = public.locator("main").inner_text()
    for secret in (
        citizen.name, "张*", citizen.phone, citizen.resident_id, "王窗口", "赵监察",
        "来回跑了三趟", "反映情况属实",
    ):  # fmt: skip
        assert secret not in text, secret
