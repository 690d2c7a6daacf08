"""One case walked end to end in a real browser: a citizen applies online, the window accepts,
the reviewer asks for a correction, the citizen resubmits, the reviewer passes, the department
head approves, the window hands the result over; the timeline and the SMS messages tell it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.cases.models import Case, CaseState
from yiwang.cases.tests.conftest import pdf_bytes
from yiwang.cases.tests.test_workbench import login
from yiwang.catalog.models import ImplementationItem
from yiwang.notify.backends import read_sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_page(browser: Browser, live_server: Any, staff: Staff) -> Page:
    """A browser of its own for a staff member who has passed the workbench login."""
    session = login(staff).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="zh-CN")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context.new_page()


def open_case(page: Page, live_server: Any, case: Case) -> None:
    page.goto(live_server.url + "/workbench/")
    page.locator("#nav-cases").click()
    page.get_by_role("link", name=case.number or "").first.click()
    expect(page.locator("#case-number")).to_have_text(case.number or "")


def test_one_case_from_application_to_pickup(
    page: Page,
    browser: Browser,
    live_server: Any,
    citizen: Person,
    matter: ImplementationItem,
    officer: Staff,
    colleague: Staff,
    approver: Staff,
    sms_file: Path,
    tmp_path: Path,
) -> None:
    # The citizen applies online.
    page.goto(live_server.url + "/login/")
    page.fill("input[name=identifier]", citizen.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(live_server.url + f"/guide/{matter.code}/")
    page.click("#apply-online")
    page.fill("input[name=shop_name]", "西峰小吃店")
    page.click("#next")
    application, plan = tmp_path / "申请书.pdf", tmp_path / "平面图.pdf"
    application.write_bytes(pdf_bytes("application"))
    plan.write_bytes(pdf_bytes("floor plan"))
    page.set_input_files("input[name=files_1]", str(application))
    page.set_input_files("input[name=files_2]", str(plan))
    page.click("#next")
    page.check("input[name=delivery][value=pickup]")
    page.click("#next")
    page.click("#submit")
    number = page.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)

    # The window accepts it.
    window = staff_page(browser, live_server, officer)
    open_case(window, live_server, case)
    window.locator("#id_accept-opinion").fill("材料齐全，予以受理")
    window.locator("#submit-accept").click()
    expect(window.locator("#case-state")).to_have_text("办理中")

    # The reviewer finds it in the to-do list and asks, once, for a better floor plan.
    reviewer = staff_page(browser, live_server, colleague)
    open_case(reviewer, live_server, case)
    reviewer.locator("#open-request_correction").click()  # the form comes in place (htmx)
    form = reviewer.locator("#action-request_correction")
    expect(form.locator("select").first).to_be_visible()
    select = form.locator("select").first
    plan_option = select.locator("option", has_text="经营场所平面图").get_attribute("value")
    select.select_option(value=plan_option)
    form.locator("input[name$=problem], textarea[name$=problem]").first.fill("未标注经营面积")
    reviewer.locator("#submit-request_correction").click()
    expect(reviewer.locator("#case-state")).to_have_text("待补正")

    # The citizen sees what is asked, uploads the new plan and resubmits.
    page.goto(live_server.url + f"/cases/{case.pk}/")
    expect(page.locator("#asked")).to_contain_text("未标注经营面积")
    page.click("#action-correct")
    fixed = tmp_path / "平面图（补正）.pdf"
    fixed.write_bytes(pdf_bytes("floor plan with area"))
    page.set_input_files("input[name=files_2]", str(fixed))
    page.click("#submit-correction")
    expect(page.locator("#case-state")).to_contain_text("办理中")

    # The reviewer passes it on; the head of the department approves.
    reviewer.reload()
    reviewer.locator("#submit-pass").click()
    head = staff_page(browser, live_server, approver)
    open_case(head, live_server, case)
    head.locator("#submit-approve").click()
    expect(head.locator("#case-state")).to_have_text("已办结")

    # The citizen collects the licence at the window.
    window.reload()
    window.locator("#submit-deliver").click()
    expect(window.locator("#case-state")).to_have_text("已送达")

    # The citizen's timeline tells the story, in order.
    page.goto(live_server.url + f"/cases/{case.pk}/")
    timeline = page.locator("#timeline")
    text = timeline.inner_text()
    story = ["提交申请", "受理", "补正告知", "补正提交", "环节通过", "办结（准予许可）", "送达"]
    positions = [text.find(step) for step in story]
    assert -1 not in positions and positions == sorted(positions), text
    expect(page.locator("#notices")).to_contain_text("受理通知书")
    expect(page.locator("#notices")).to_contain_text("补正告知书")
    expect(page.locator("#notices")).to_contain_text("办结通知")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED and case.approved

    # And so do the messages on the citizen's phone, once the worker has delivered them.
    call_command("worker", "--batch", verbosity=0)
    texts = [m["text"] for m in read_sent(sms_file) if m["phone"] == citizen.phone]
    expected = ["已提交", "已受理", "需要补正", "已办结", "已送达"]
    assert [any(word in t for t in texts) for word in expected] == [True] * len(expected), texts
    assert any(number in t for t in texts)
