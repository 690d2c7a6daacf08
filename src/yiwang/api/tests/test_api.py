"""The API root, its OpenAPI document and docs page, and the one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "庆阳市一网通办 开放接口"
    assert "/api/workdays/deadline" in spec["paths"]
    assert "/api/regions/{code}" in spec["paths"]


def test_docs_page_is_served_without_a_cdn(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html


def test_deadline_endpoint(client: Client) -> None:
    response = client.get("/api/workdays/deadline", {"start": "2026-09-30", "days": 3})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-30",
        "days": 3,
        "deadline": "2026-10-10",
        "provisional": False,
        "unknown_years": [],
    }


def test_deadline_into_an_unloaded_year_is_provisional(client: Client) -> None:
    body = client.get("/api/workdays/deadline", {"start": "2026-12-15", "days": 20}).json()
    assert (body["deadline"], body["provisional"], body["unknown_years"]) == (
        "2027-01-12",
        True,
        [2027],
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-02-30", "days": 1}, "start", "日期格式应为 YYYY-MM-DD"),
        ({"start": "2026-02-13", "days": -1}, "days", "不能小于 0"),
        ({"start": "2026-02-13", "days": 99999}, "days", "不能大于 3650"),
        ({"start": "2026-02-13", "days": "x"}, "days", "应为整数"),
        ({"days": 1}, "start", "必填"),
    ],
)
def test_bad_input_gets_the_error_shape_in_chinese(
    client: Client, params: dict[str, object], field: str, message: str
) -> None:
    response = client.get("/api/workdays/deadline", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert body["message"].startswith("请求参数有误")
    assert message in body["fields"][field]


def test_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "您访问的内容不存在或已被移除。",
        "fields": {},
    }


def test_unknown_region_is_a_json_404(client: Client) -> None:
    response = client.get("/api/regions/999999999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_a_405(client: Client) -> None:
    response = client.post("/api/workdays/deadline")
    assert response.status_code == 405


def test_api_root_points_to_the_document_and_docs(client: Client) -> None:
    body = client.get("/api/").json()
    assert body["openapi"].endswith("/api/openapi.json")
    assert body["docs"].endswith("/api/docs")
    assert client.get("/api/openapi.json").status_code == 200
