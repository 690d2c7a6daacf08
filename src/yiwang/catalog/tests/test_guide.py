"""The public guide: search (Chinese, pinyin), themes, browsing, guide pages, the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.catalog import services
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.catalog.tests.conftest import STEPS, valid_content
from yiwang.regions.models import Department

pytestmark = pytest.mark.django_db


def _names(client: Client, **params: str) -> list[str]:
    response = client.get("/matters/", params)
    assert response.status_code == 200
    listed = response.content.decode().split('id="matters"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<strong>(.*?)</strong>", listed)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("护照", ["普通护照签发"]),
        ("护", ["普通护照签发"]),  # part of a word
        ("公积金 贷款", ["住房公积金个人住房贷款"]),  # every word must match
        ("hz", ["普通护照签发"]),  # pinyin initials
        ("HuZhao", ["普通护照签发"]),  # full pinyin, any case
        ("港澳", ["往来港澳通行证签发"]),
        ("出境入境", ["普通护照签发", "往来港澳通行证签发"]),  # theme words
        ("营业执照", []),
    ],
)
def test_search_finds_chinese_queries(
    client: Client, catalog: dict[str, ImplementationItem], query: str, expected: list[str]
) -> None:
    assert sorted(_names(client, q=query)) == sorted(expected)


def test_browse_by_theme_department_and_region(
    client: Client, catalog: dict[str, ImplementationItem]
) -> None:
    assert sorted(_names(client, audience="person", theme="出境入境")) == [
        "往来港澳通行证签发", "普通护照签发",
    ]  # fmt: skip
    assert _names(client, audience="enterprise", theme="出境入境") == []
    passport = catalog["passport"]
    assert _names(client, department=str(passport.department_id)) == ["普通护照签发"]
    assert _names(client, region="621021000000") == ["往来港澳通行证签发"]
    city = sorted(_names(client, region="621000000000", within="1"))
    assert city == ["住房公积金个人住房贷款", "往来港澳通行证签发", "普通护照签发"]


def test_themes_page_counts(client: Client, catalog: dict[str, ImplementationItem]) -> None:
    html = client.get("/themes/").content.decode()
    assert "出境入境 <span>2</span>" in html
    assert "住房保障 <span>1</span>" in html


def test_unpublished_and_revoked_items_are_not_public(
    client: Client, catalog: dict[str, ImplementationItem], department: Department
) -> None:
    basic, _ = services.basic_item_save(
        code="000104009000", name="护照加注", matter_type="01", level="3"
    )
    services.item_create(
        basic_item=basic, department=department, level="3",
        content=valid_content(name="护照加注"), steps=STEPS,
    )  # fmt: skip
    services.item_set_status(item=catalog["passport"], status=ItemStatus.REVOKED, reason="测试")
    assert _names(client, q="护照") == []
    assert client.get(f"/guide/{catalog['passport'].code}/").status_code == 404


def test_guide_page_shows_every_public_field(
    client: Client, catalog: dict[str, ImplementationItem]
) -> None:
    item = catalog["passport"]
    html = client.get(f"/guide/{item.code}/").content.decode()
    for text in [
        "普通护照签发", item.code, "行政许可",
        "15个工作日", "7个工作日", "压缩 53%", "居民身份证", "可用电子证照", "近期免冠彩色照片",
        "非必要", "受理（1 个工作日）", "护照签发：120.00 元", "0934-8221234", "12345",
        "工作日 9:00-12:00，14:30-18:00", "采集指纹和人像", "自然人", "窗口办理、网上办理",
    ]:  # fmt: skip
        assert text in html, text
    assert 'id="book"' not in html  # not bookable: no button


def test_suspended_item_says_so(client: Client, catalog: dict[str, ImplementationItem]) -> None:
    services.item_set_status(
        item=catalog["passport"], status=ItemStatus.SUSPENDED, reason="系统升级"
    )
    html = client.get(f"/guide/{catalog['passport'].code}/").content.decode()
    assert "该事项暂停办理：系统升级" in html


def test_list_page_query_count_is_fixed(
    client: Client, catalog: dict[str, ImplementationItem]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/matters/", {"q": "签发"})
    assert len(queries) <= 4


class TestApi:
    def test_list_filters_and_pages(
        self, client: Client, catalog: dict[str, ImplementationItem]
    ) -> None:
        body = client.get("/api/matters/", {"q": "签发", "limit": 1}).json()
        assert body["count"] == 2 and body["limit"] == 1 and len(body["items"]) == 1
        theme = client.get("/api/matters/", {"theme": "住房保障"}).json()
        assert [i["name"] for i in theme["items"]] == ["住房公积金个人住房贷款"]
        bad = client.get("/api/matters/", {"limit": 1000})
        assert bad.status_code == 400 and bad.json()["fields"]["limit"] == ["不能大于 100"]

    def test_detail_has_an_etag_and_answers_304(
        self,
        client: Client,
        catalog: dict[str, ImplementationItem],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        item = catalog["passport"]
        first = client.get(f"/api/matters/{item.code}")
        assert first.status_code == 200
        body = first.json()
        assert body["promised_limit"] == {"value": 7, "unit": "workday", "note": ""}
        assert [m["code"] for m in body["materials"]] == [item.code + "001", item.code + "002"]
        again = client.get(f"/api/matters/{item.code}", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        # A new version changes the ETag.
        draft = services.item_draft(item=item)
        services.draft_update(draft=draft, changes={"promised_limit": 5})
        with django_capture_on_commit_callbacks(execute=True):
            services.item_publish(item=item)
        changed = client.get(f"/api/matters/{item.code}", HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200
        assert changed.json()["promised_limit"]["value"] == 5

    def test_unknown_code_is_a_json_404(self, client: Client, db: None) -> None:
        response = client.get("/api/matters/NOPE")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/matters/", "/themes/", "/matters/"])
def test_list_query_counts_do_not_grow_with_the_catalog(
    client: Client, catalog: dict[str, ImplementationItem], department: Any, path: str
) -> None:
    """The public lists read a fixed number of queries whatever the number of matters."""
    from django.core.cache import cache

    from yiwang.catalog.tests.conftest import _publish
    from yiwang.core.pagecache import local_forget

    def count() -> int:
        cache.clear()
        local_forget()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        _publish(f"00010500{n}000", f"测试事项{n}", department, "3", person_themes=["住房保障"])
    assert count() == few


class TestGuideCache:
    """Guide pages and detail answers are served from the cache until public content changes."""

    def test_a_cached_guide_page_reads_nothing_from_the_database(
        self, client: Client, catalog: dict[str, ImplementationItem]
    ) -> None:
        path = f"/guide/{catalog['passport'].code}/"
        assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path)
        assert again.status_code == 200 and "普通护照签发" in again.content.decode()
        assert len(queries) == 0

    def test_a_status_change_shows_once_committed(
        self,
        client: Client,
        catalog: dict[str, ImplementationItem],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        item = catalog["passport"]
        path = f"/guide/{item.code}/"
        assert "暂停办理" not in client.get(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.item_set_status(item=item, status=ItemStatus.SUSPENDED, reason="系统升级")
        assert "该事项暂停办理：系统升级" in client.get(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.item_set_status(item=item, status=ItemStatus.REVOKED, reason="取消")
        assert client.get(path).status_code == 404
        assert client.get(f"/api/matters/{item.code}").status_code == 404

    def test_a_new_version_and_a_renamed_department_show(
        self,
        client: Client,
        catalog: dict[str, ImplementationItem],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from yiwang.regions.services import department_save

        item = catalog["passport"]
        path = f"/guide/{item.code}/"
        assert "7个工作日" in client.get(path).content.decode()
        assert client.get(f"/api/matters/{item.code}").json()["promised_limit"]["value"] == 7
        with django_capture_on_commit_callbacks(execute=True):
            draft = services.item_draft(item=item)
            services.draft_update(draft=draft, changes={"promised_limit": 5})
            services.item_publish(item=item)
        assert "5个工作日" in client.get(path).content.decode()
        assert client.get(f"/api/matters/{item.code}").json()["promised_limit"]["value"] == 5
        department = item.department
        department.name = "庆阳市公安局（更名测试）"
        with django_capture_on_commit_callbacks(execute=True):
            department_save(department=department)
        assert "庆阳市公安局（更名测试）" in client.get(path).content.decode()

    def test_codes_that_cannot_be_matters_are_404_without_a_query(
        self, client: Client, db: None
    ) -> None:
        for code in ["NOPE", "x" * 200, "11620000MB1234567X" + "%00"]:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/guide/{code}/").status_code == 404
                assert client.get(f"/api/matters/{code}").status_code == 404
            assert len(queries) == 0, code

    def test_search_answers_are_cached_and_a_publication_shows(
        self,
        client: Client,
        catalog: dict[str, ImplementationItem],
        department: Department,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from yiwang.catalog.tests.conftest import _publish

        assert _names(client, q="护照") == ["普通护照签发"]
        with CaptureQueriesContext(connection) as queries:
            assert _names(client, q="护照") == ["普通护照签发"]
        assert len(queries) == 0
        assert _names(client, q="护照", page="1") == ["普通护照签发"]  # same answer, own entry
        with django_capture_on_commit_callbacks(execute=True):
            _publish("000104009000", "护照加注", department, "3")
        assert sorted(_names(client, q="护照")) == ["护照加注", "普通护照签发"]

    def test_api_search_answers_are_cached_and_a_publication_shows(
        self,
        client: Client,
        catalog: dict[str, ImplementationItem],
        department: Department,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from yiwang.catalog.tests.conftest import _publish

        def names(**params: Any) -> list[str]:
            response = client.get("/api/matters/", params)
            assert response.status_code == 200, response.content
            return sorted(item["name"] for item in response.json()["items"])

        assert names(q="护照") == ["普通护照签发"]
        with CaptureQueriesContext(connection) as queries:
            assert names(q="护照") == ["普通护照签发"]
        assert len(queries) == 0
        assert names(q="护照", limit=1) == ["普通护照签发"]  # other parameters, own entry
        assert client.get("/api/matters/", {"region": "999999999999"}).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            _publish("000104009000", "护照加注", department, "3")
        assert names(q="护照") == ["护照加注", "普通护照签发"]

    def test_no_result_names_the_hotline(self, client: Client, catalog: Any) -> None:
        html = client.get("/matters/", {"q": "没有这个事项"}).content.decode()
        assert "没有找到相关事项" in html and "12345" in html

    def test_visitors_get_the_whole_page_signed_in_people_their_own_frame(
        self, client: Client, catalog: dict[str, ImplementationItem]
    ) -> None:
        from yiwang.accounts.models import User

        path = f"/guide/{catalog['passport'].code}/"
        first, second = client.get(path), client.get(path)
        assert first.content == second.content
        assert "登录" in first.content.decode() and "普通护照签发" in first.content.decode()
        assert "Cookie" in first["Vary"] and not first.cookies  # nothing personal, no cookie set
        user = User.objects.create_user(
            username="guide-reader", password="x", display_name="王五", kind=User.Kind.PERSON
        )
        client.force_login(user)
        mine = client.get(path).content.decode()
        assert "王五" in mine and "普通护照签发" in mine
        assert 'href="/login/"' not in mine

    def test_a_visitor_with_a_pending_message_gets_it_in_their_frame(
        self, client: Client, catalog: dict[str, ImplementationItem]
    ) -> None:
        from django.contrib.messages import constants
        from django.contrib.messages.storage.base import Message
        from django.contrib.messages.storage.cookie import CookieStorage
        from django.http import HttpRequest

        path = f"/guide/{catalog['passport'].code}/"
        assert "您已退出登录" not in client.get(path).content.decode()  # cached for visitors
        storage = CookieStorage(HttpRequest())
        client.cookies["messages"] = storage._encode([Message(constants.INFO, "您已退出登录")])
        page = client.get(path).content.decode()
        assert "您已退出登录" in page and "普通护照签发" in page
