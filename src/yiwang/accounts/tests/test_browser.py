"""A citizen registers and a staff member logs in, in a real browser (Playwright, Chromium)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD, rid
from yiwang.accounts.tests.test_login import totp_now
from yiwang.cases.tests.test_walk_browser import staff_page
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


def _token(live_server: Any, client_id: str, secret: str) -> int:
    """The status of a client-credentials token request to the running server."""
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        live_server.url + "/api/auth/token",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_system_administrator_creates_and_stops_an_api_client(
    browser: Browser, live_server: Any, sysadmin: Staff, officer: Staff
) -> None:
    page = staff_page(browser, live_server, sysadmin)
    page.goto(live_server.url + "/workbench/")
    page.locator("#home-api-clients").click()
    expect(page.locator("h1")).to_have_text("接口客户端")
    page.get_by_label("系统名称").fill("市场监管业务系统")
    page.get_by_label("代表的工作人员（用户名）").fill("officer")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#client-created")).to_contain_text("密钥只显示这一次")
    client_id = page.locator("#created-client-id").inner_text().strip()
    secret = page.locator("#created-secret").inner_text().strip()
    assert _token(live_server, client_id, secret) == 200

    page.reload()  # the page again: the secret is gone
    row = page.locator("#client-table tr", has_text=client_id)
    expect(row).to_contain_text("使用中")
    expect(page.locator("#client-created")).to_have_count(0)
    row.get_by_role("button", name="停用").click()
    expect(page.locator("#client-table tr", has_text=client_id)).to_contain_text("已停用")
    assert _token(live_server, client_id, secret) == 401
