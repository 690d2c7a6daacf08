"""/healthz, the error pages, and the settings a production deployment relies on."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from yiwang.core.errors import YiwangError
from yiwang.env import env_bool, env_float, env_int, env_list

pytestmark = pytest.mark.django_db


def test_healthz_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("yiwang.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_server_error_page_is_chinese_and_has_no_details(client: Client) -> None:
    client.raise_request_exception = False
    with mock.patch("yiwang.portal.views.city_get", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统繁忙" in html
    assert "boom" not in html


def test_yiwang_error_carries_code_message_fields_and_status() -> None:
    error = YiwangError("材料不全", code="conflict", fields={"file": ["缺少身份证"]})
    assert error.status == 409
    assert error.as_dict() == {
        "code": "conflict",
        "message": "材料不全",
        "fields": {"file": ["缺少身份证"]},
    }
    assert YiwangError().message == "提交的内容有误，请检查后重试。"


def test_env_readers_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("X_BOOL", "perhaps")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    monkeypatch.setenv("X_FLOAT", "1,1")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="X_FLOAT"):
        env_float("X_FLOAT", 1.0)
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_FLOAT", "1.5")
    assert env_float("X_FLOAT", 1.0) == 1.5
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env_bool("X_BOOL", False) is True
