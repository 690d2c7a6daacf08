"""Department systems on the staff API: a system administrator creates an API client acting as
one staff account; the system obtains access tokens with its id and secret (OAuth 2.0 client
credentials) and may do what that account may; stopping the client ends its tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts import services
from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import ApiClient, ApiToken, Role, Staff
from yiwang.accounts.tests.clients import staff_client
from yiwang.accounts.tests.conftest import QINGCHENG, _staff
from yiwang.core.models import AuditRecord

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token"
WORK_LIST = "/api/cases/todo"  # the officer's list of cases to handle


def obtain(client: Client, client_id: str, secret: str) -> Any:
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post(TOKEN, data=body, content_type="application/json")


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body


@pytest.fixture
def system(sysadmin: Staff, officer: Staff) -> tuple[ApiClient, str]:
    return services.api_client_create(actor=sysadmin, staff=officer, name="市场监管业务系统")


def test_a_department_system_obtains_a_token_and_acts_as_its_officer(
    client: Client, system: tuple[ApiClient, str], officer: Staff
) -> None:
    api_client, secret = system
    assert api_client.client_id.startswith("yw_") and len(secret) >= 40
    # Only the secret's digest is kept.
    assert secret not in api_client.secret_hash
    assert not ApiClient.objects.filter(secret_hash=secret).exists()

    response = obtain(client, api_client.client_id, secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"] is None
    assert 0 < body["expires_in"] <= 2 * 3600

    listed = client.get(WORK_LIST, headers=bearer(body["access_token"]))
    assert listed.status_code == 200, listed.content
    token = ApiToken.objects.get(api_client=api_client)
    assert token.user == officer.user and token.refresh_hash is None
    # A staff account is no person: the person's endpoint refuses it.
    refused(
        client.get("/api/auth/me", headers=bearer(body["access_token"])), 403, "permission_denied"
    )
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["api.client_created", "api.token_issued"]


def test_wrong_credentials_are_refused_the_same_way_and_create_nothing(
    client: Client, system: tuple[ApiClient, str]
) -> None:
    api_client, secret = system
    for client_id, attempt in (
        (api_client.client_id, secret[:-1] + ("A" if secret[-1] != "A" else "B")),
        ("yw_unknown", secret),
    ):
        refused(obtain(client, client_id, attempt), 401, "invalid_client")
    refused(client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": "x"},
                        content_type="application/json"), 400, "invalid")  # fmt: skip
    refused(client.post(TOKEN, data={"grant_type": "implicit"}, content_type="application/json"),
            400, "invalid")  # fmt: skip
    assert not ApiToken.objects.exists()
    failures = AuditRecord.objects.filter(action="api.client_auth_failed")
    assert failures.count() == 2
    # A client token has no refresh token; an empty one refreshes nothing.
    refused(client.post(TOKEN + "/refresh", data={"refresh_token": ""},
                        content_type="application/json"), 401, "not_authenticated")  # fmt: skip


def test_an_address_that_keeps_failing_is_locked_out(
    client: Client, system: tuple[ApiClient, str], settings: Any
) -> None:
    settings.API_CLIENT_FAILURE_LIMIT = 3
    api_client, secret = system
    for _ in range(3):
        refused(obtain(client, api_client.client_id, "wrong"), 401, "invalid_client")
    # Locked: even the right secret is refused, and the tries are no longer audited one by one.
    refused(obtain(client, api_client.client_id, secret), 429, "client_locked")
    refused(obtain(client, api_client.client_id, "wrong"), 429, "client_locked")
    assert AuditRecord.objects.filter(action="api.client_auth_failed").count() == 3
    assert not ApiToken.objects.exists()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert obtain(other, api_client.client_id, secret).status_code == 200


def test_stopping_a_client_ends_its_tokens(
    client: Client, system: tuple[ApiClient, str], sysadmin: Staff
) -> None:
    api_client, secret = system
    access = obtain(client, api_client.client_id, secret).json()["access_token"]
    assert client.get(WORK_LIST, headers=bearer(access)).status_code == 200
    services.api_client_revoke(actor=sysadmin, client=api_client)
    refused(client.get(WORK_LIST, headers=bearer(access)), 401, "not_authenticated")
    refused(obtain(client, api_client.client_id, secret), 401, "invalid_client")
    record = AuditRecord.objects.get(action="api.client_revoked")
    assert record.detail["tokens_revoked"] == 1


def test_the_officer_account_decides_what_the_client_may_do(
    client: Client, system: tuple[ApiClient, str], officer: Staff, secadmin: Staff
) -> None:
    api_client, secret = system
    officer.user.is_active = False
    officer.user.save(update_fields=["is_active"])
    refused(obtain(client, api_client.client_id, secret), 401, "invalid_client")
    officer.user.is_active = True
    officer.user.save(update_fields=["is_active"])
    assert obtain(client, api_client.client_id, secret).status_code == 200
    # Once the account holds an administrator role, the system gets no more tokens.
    services.staff_role_grant(actor=secadmin, staff=officer, role=Role.AUDIT_ADMIN)
    refused(obtain(client, api_client.client_id, secret), 401, "invalid_client")


def test_who_may_create_a_client_for_whom(
    sysadmin: Staff, officer: Staff, secadmin: Staff, regions: None
) -> None:
    county_admin = _staff("qcadmin", QINGCHENG, "government_services", "13900000018",
                          Role.SYSTEM_ADMIN)  # fmt: skip
    cases = [
        (officer, officer, AccountsErrorCode.ROLE_REQUIRED),  # not a system administrator
        (county_admin, officer, AccountsErrorCode.OUT_OF_SCOPE),  # another county's officer
        (sysadmin, secadmin, AccountsErrorCode.INVALID),  # an administrator's account
    ]
    for actor, target, error in cases:
        with pytest.raises(AccountsError) as refusal:
            services.api_client_create(actor=actor, staff=target, name="某系统")
        assert refusal.value.error is error
    with pytest.raises(AccountsError) as refusal:
        services.api_client_create(actor=sysadmin, staff=officer, name="  ")
    assert refusal.value.fields == {"name": ["请填写系统名称"]}
    assert not ApiClient.objects.exists()


# --- The system administrator's page ---------------------------------------------------------


PAGE = "/workbench/api-clients/"


def test_the_administrator_creates_a_client_and_sees_its_secret_once(
    client: Client, sysadmin: Staff, officer: Staff
) -> None:
    admin = staff_client(sysadmin)
    response = admin.post(PAGE, {"action": "create", "name": "市场监管业务系统",
                                 "username": "officer"})  # fmt: skip
    assert response.status_code == 302
    response = admin.get(PAGE)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    api_client = ApiClient.objects.get()
    assert api_client.staff == officer
    secret = re.search(r'id="created-secret"><code>([^<]+)</code>', page)
    assert secret is not None
    assert obtain(client, api_client.client_id, secret[1]).status_code == 200
    # Listed afterwards without the secret.
    listing = admin.get(PAGE).content.decode()
    assert api_client.client_id in listing and secret[1] not in listing
    assert "使用中" in listing


def test_the_page_refuses_bad_input_and_other_roles(
    sysadmin: Staff, officer: Staff, other_officer: Staff, regions: None
) -> None:
    admin = staff_client(sysadmin)
    response = admin.post(PAGE, {"action": "create", "name": "某系统", "username": "nobody"})
    assert response.status_code == 400
    assert "未找到该用户名的工作人员" in response.content.decode()
    response = admin.post(PAGE, {"action": "create", "name": "某系统", "username": "sysadmin"})
    assert response.status_code == 400
    assert "不能代表系统、安全或审计管理员" in response.content.decode()
    assert not ApiClient.objects.exists()
    assert staff_client(officer).get(PAGE).status_code == 403

    # A county's administrator neither sees nor stops the city's clients of other counties.
    county_admin = _staff("qcadmin", QINGCHENG, "government_services", "13900000018",
                          Role.SYSTEM_ADMIN)  # fmt: skip
    xifeng, _ = services.api_client_create(actor=sysadmin, staff=officer, name="西峰系统")
    county = staff_client(county_admin)
    assert xifeng.client_id not in county.get(PAGE).content.decode()
    response = county.post(PAGE, {"action": "revoke", "client": str(xifeng.pk)})
    assert response.status_code == 403
    xifeng.refresh_from_db()
    assert xifeng.revoked_at is None
    # Their own county's officer they may.
    response = county.post(PAGE, {"action": "create", "name": "庆城系统", "username": "other"})
    assert response.status_code == 302
    assert ApiClient.objects.get(name="庆城系统").staff == other_officer


def test_the_administrator_stops_a_client(sysadmin: Staff, system: tuple[ApiClient, str]) -> None:
    api_client, _ = system
    admin = staff_client(sysadmin)
    response = admin.post(PAGE, {"action": "revoke", "client": str(api_client.pk)})
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert "已停用" in admin.get(PAGE).content.decode()
