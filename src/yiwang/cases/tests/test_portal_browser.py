"""A citizen applies online in a real browser and follows the case (Playwright + Chromium)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from yiwang.accounts.models import Person
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.cases.models import Case, CaseState
from yiwang.cases.tests.conftest import pdf_bytes
from yiwang.catalog.models import ImplementationItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_applies_online_and_finds_the_case_in_my_cases(
    page: Page, live_server: Any, citizen: Person, matter: ImplementationItem, tmp_path: Path
) -> None:
    page.goto(live_server.url + "/login/")
    page.fill("input[name=identifier]", citizen.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/me/$"))

    page.goto(live_server.url + f"/guide/{matter.code}/")
    page.click("#apply-online")
    expect(page.locator("input[name=applicant]")).to_have_value("张三")  # from the identity
    page.fill("input[name=shop_name]", "西峰小吃店")
    page.click("#next")

    form_pdf, plan_pdf = tmp_path / "申请书.pdf", tmp_path / "平面图.pdf"
    form_pdf.write_bytes(pdf_bytes("application"))
    plan_pdf.write_bytes(pdf_bytes("floor plan"))
    expect(page.locator("#materials")).to_contain_text("食品经营许可申请书")
    page.set_input_files("input[name=files_1]", str(form_pdf))
    page.set_input_files("input[name=files_2]", str(plan_pdf))
    page.click("#next")

    page.check("input[name=delivery][value=pickup]")
    page.click("#next")
    expect(page.locator("#review-materials")).to_contain_text("平面图.pdf")
    page.click("#submit")

    number = page.locator("#case-number").inner_text().strip()
    assert len(number) == 43 and number.startswith(matter.code)
    expect(page.locator("#query-password")).to_have_text(re.compile(r"^\d{6}$"))
    assert Case.objects.get(number=number).state == CaseState.SUBMITTED

    page.goto(live_server.url + "/me/")
    page.click("#my-cases-link")
    row = page.locator("#case-list tr", has_text=number)
    expect(row).to_contain_text("待受理")
    row.get_by_role("link", name=number).click()
    expect(page.locator("#case-number")).to_have_text(number)
    expect(page.locator("#timeline")).to_contain_text("提交申请")
    expect(page.locator("#notices")).to_contain_text("收件凭证")
