"""A citizen registers and a staff member logs in, in a real browser (Playwright, Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD, rid
from yiwang.accounts.tests.test_login import totp_now
from yiwang.notify.backends import last_code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_registers_with_an_sms_code_and_sees_the_masked_id(
    page: Page, live_server: Any, sms_file: Path
) -> None:
    resident_id, phone = rid("62102319881109462"), "13800000031"
    page.goto(live_server.url + "/register/")
    page.fill("input[name=name]", "马小花")
    page.fill("input[name=resident_id]", resident_id)
    page.fill("input[name=phone]", phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    call_command("worker", "--batch", verbosity=0)  # the worker delivers to the local phone
    code = last_code_for(phone, path=sms_file)
    assert code is not None
    page.fill("input[name=code]", code)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(live_server.url + "/me/")
    expect(page.locator("#masked-id")).to_have_text(resident_id[:6] + "********" + resident_id[-4:])
    expect(page.locator("#masked-phone")).to_have_text("138****0031")
    assert resident_id not in page.content()
    assert Person.objects.get(phone=phone).name == "马小花"


def test_a_wrong_code_keeps_what_the_citizen_typed(
    page: Page, live_server: Any, sms_file: Path
) -> None:
    page.goto(live_server.url + "/register/")
    page.fill("input[name=name]", "马小花")
    page.fill("input[name=resident_id]", rid("62102319881109462"))
    page.fill("input[name=phone]", "13800000032")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    page.fill("input[name=code]", "000000")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".field-error")).to_contain_text("验证码不正确")
    expect(page.locator("input[name=name]")).to_have_value("马小花")
    assert not Person.objects.exists()


def test_staff_logs_in_with_a_second_factor(page: Page, live_server: Any, officer: Staff) -> None:
    device = TOTPDevice.objects.create(user=officer.user, name="app", confirmed=True)
    page.goto(live_server.url + "/workbench/")
    expect(page).to_have_url(live_server.url + "/workbench/login/?next=/workbench/")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("h1")).to_have_text("第二重验证")
    page.fill("input[name=token]", totp_now(device))
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#staff-name")).to_have_text("officer")
    expect(page.locator("#staff-department")).to_have_text(officer.department.name)
    expect(page.locator("#second-factor")).to_have_text("密码 + 动态口令")
