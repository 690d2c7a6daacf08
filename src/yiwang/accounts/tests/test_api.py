"""Tokens for app / WeChat / Alipay clients: obtain, refresh (rotating), revoke, and `me`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import AgentGrant, ApiToken, Person
from yiwang.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _obtain(client: Client, identifier: str, password: str = PASSWORD) -> dict[str, object]:
    response = client.post(
        "/api/auth/token",
        {"client": "wechat", "identifier": identifier, "password": password},
        content_type="application/json",
    )
    return {"status": response.status_code, **response.json()}


def _bearer(token: object) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_obtain_and_read_me_with_masked_identifiers(
    client: Client, citizen: Person, grant: AgentGrant
) -> None:
    body = _obtain(client, citizen.phone)
    assert body["status"] == 200 and body["token_type"] == "Bearer"
    assert 0 < int(body["expires_in"]) <= 7200  # type: ignore[call-overload]
    me = client.get("/api/auth/me", **_bearer(body["access_token"]))
    assert me.status_code == 200
    data = me.json()
    assert data["name"] == "张三"
    assert data["id_number"] == citizen.resident_id[:6] + "********" + citizen.resident_id[-4:]
    assert data["phone"] == "138****0011"
    assert data["enterprises"] == [
        {"id": grant.enterprise_id, "name": "庆阳市示范科技有限公司",
         "uscc": grant.enterprise.uscc, "role": "legal_representative"}
    ]  # fmt: skip
    assert citizen.resident_id not in me.content.decode()
    assert not ApiToken.objects.filter(access_hash=body["access_token"]).exists()  # hashed


def test_me_query_count_is_fixed(client: Client, citizen: Person, grant: AgentGrant) -> None:
    token = _obtain(client, citizen.phone)["access_token"]
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/auth/me", **_bearer(token))
    assert len(queries) <= 6


def test_wrong_password_is_the_error_shape(client: Client, citizen: Person) -> None:
    body = _obtain(client, citizen.phone, "wrong")
    assert body == {
        "status": 400,
        "code": "login_failed",
        "message": "账号或密码不正确",
        "fields": {},
    }


def test_missing_credentials_are_explained(client: Client) -> None:
    response = client.post("/api/auth/token", {}, content_type="application/json")
    assert response.status_code == 400
    assert "密码" in response.json()["message"]


def test_refresh_rotates_and_the_old_pair_dies(client: Client, citizen: Person) -> None:
    first = _obtain(client, citizen.phone)
    refreshed = client.post(
        "/api/auth/token/refresh",
        {"refresh_token": first["refresh_token"]},
        content_type="application/json",
    )
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["access_token"] != first["access_token"]
    assert client.get("/api/auth/me", **_bearer(first["access_token"])).status_code == 401
    assert client.get("/api/auth/me", **_bearer(second["access_token"])).status_code == 200
    reuse = client.post(
        "/api/auth/token/refresh",
        {"refresh_token": first["refresh_token"]},
        content_type="application/json",
    )
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "not_authenticated"


def test_revoke_and_expiry(client: Client, citizen: Person) -> None:
    body = _obtain(client, citizen.phone)
    headers = _bearer(body["access_token"])
    assert client.post("/api/auth/token/revoke", **headers).status_code == 204
    assert client.get("/api/auth/me", **headers).status_code == 401
    other = _obtain(client, citizen.phone)
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        access_expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    expired = client.get("/api/auth/me", **_bearer(other["access_token"]))
    assert expired.status_code == 401
    assert expired.json()["message"] == "请先登录。"


def test_no_token_is_a_401(client: Client) -> None:
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
