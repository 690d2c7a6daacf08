"""Portal pages render the real divisions; bad input gets a Chinese 4xx."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.regions.services import demo_load

pytestmark = pytest.mark.django_db

COUNTIES = ["西峰区", "庆城县", "环县", "华池县", "合水县", "正宁县", "宁县", "镇原县"]


@pytest.fixture
def demo() -> None:
    demo_load()


def test_home_lists_the_city_and_its_eight_counties(client: Client, demo: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "庆阳市一体化在线政务服务平台" in html
    for name in COUNTIES:
        assert name in html
    assert "119 个乡镇（街道）" in html
    assert "1392 个村（社区）" in html
    assert "701 个政务服务部门" in html
    assert "市公安局" in html
    assert "12345" in html  # hotline in the footer


def test_home_query_count_does_not_grow_with_data(client: Client, demo: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) <= 8


def test_home_before_any_data_explains_what_to_do(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 503
    assert "yiwang demo" in response.content.decode()


def test_county_page_lists_townships_departments_and_hall(client: Client, demo: None) -> None:
    response = client.get("/regions/621002000000/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "西峰区" in html
    assert "西峰区政务服务中心" in html
    assert "肖金镇" in html  # a township of 西峰区
    assert "庆城县" not in html


def test_unknown_region_is_a_chinese_404(client: Client, demo: None) -> None:
    response = client.get("/regions/999999999999/")
    assert response.status_code == 404
    assert "您访问的内容不存在" in response.content.decode()


class TestWorkdaysPage:
    def test_deadline_over_spring_festival(self, client: Client) -> None:
        response = client.get("/workdays/", {"start": "2026-02-13", "days": "2"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "2026年2月24日" in html
        assert "暂定" not in html

    def test_deadline_into_2027_is_marked_provisional(self, client: Client) -> None:
        response = client.get("/workdays/", {"start": "2026-12-15", "days": "20"})
        html = response.content.decode()
        assert "2027年1月12日" in html
        assert 'id="provisional"' in html
        assert "2027 年节假日安排尚未发布" in html

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"start": "2026-02-30", "days": "2"}, "日期格式应为"),
            ({"start": "2026-02-13", "days": "-1"}, "时限不能为负数"),
            ({"start": "2026-02-13", "days": "abc"}, "时限应为整数"),
            ({"start": "", "days": "3"}, "请填写受理日期"),
        ],
    )
    def test_bad_input_is_a_400_with_a_chinese_message(
        self, client: Client, params: dict[str, str], message: str
    ) -> None:
        response = client.get("/workdays/", params)
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_empty_form_renders(self, client: Client) -> None:
        response = client.get("/workdays/")
        assert response.status_code == 200
        assert "办理期限计算" in response.content.decode()


def test_post_to_a_page_is_refused_with_405(client: Client, demo: None) -> None:
    assert client.post("/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/login/?method=code", "/register/"])
def test_login_and_register_pages_answer_200(client: Client, path: str) -> None:
    """Opening a form page is not a failed submission: 200 and no error messages."""
    response = client.get(path)
    assert response.status_code == 200
    assert "errorlist" not in response.content.decode()
