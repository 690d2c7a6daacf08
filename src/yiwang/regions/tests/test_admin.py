from __future__ import annotations

import pytest
from django.test import Client

from yiwang.regions.models import Department, Hall, Region, Window
from yiwang.regions.rules import demo_uscc


@pytest.mark.django_db
class TestAdmin:
    @pytest.mark.parametrize("model", ["region", "department", "hall", "window"])
    def test_lists_search_and_filter(self, admin_client: Client, demo: Region, model: str) -> None:
        url = f"/admin/regions/{model}/"
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(url, {"q": "西峰"}).status_code == 200

    def test_search_department_by_credit_code(self, admin_client: Client, demo: Region) -> None:
        department = Department.objects.get(name="庆阳市公安局")
        response = admin_client.get("/admin/regions/department/", {"q": department.uscc})
        assert response.status_code == 200
        assert "庆阳市公安局" in response.content.decode()

    def test_region_code_is_read_only_once_created(
        self, admin_client: Client, city: Region
    ) -> None:
        response = admin_client.get(f"/admin/regions/region/{city.code}/change/")
        assert response.status_code == 200
        assert 'name="code"' not in response.content.decode()
        assert 'name="code"' in admin_client.get("/admin/regions/region/add/").content.decode()

    def test_adding_a_region_derives_level_and_prefix(
        self, admin_client: Client, city: Region
    ) -> None:
        response = admin_client.post(
            "/admin/regions/region/add/",
            {"code": "621002100999", "name": "测试村", "parent": "621002100000"},
        )
        assert response.status_code == 302
        region = Region.objects.get(code="621002100999")
        assert (region.level, region.prefix) == (Region.Level.VILLAGE, "621002100999")

    def test_adding_a_region_outside_its_parent_is_a_form_error(
        self, admin_client: Client, city: Region
    ) -> None:
        response = admin_client.post(
            "/admin/regions/region/add/",
            {"code": "621021100999", "name": "测试村", "parent": "621002100000"},
        )
        assert response.status_code == 200
        assert "不在上级区划" in response.content.decode()
        assert not Region.objects.filter(code="621021100999").exists()

    def test_adding_a_department_goes_through_the_service(
        self, admin_client: Client, city: Region
    ) -> None:
        uscc = demo_uscc(kind_code="11", region6="621002", organization_body="00000042")
        data = {
            "name": "西峰区数据局",
            "short_name": "",
            "uscc": uscc,
            "kind": Department.Kind.OTHER,
            "region": "621002000000",
            "is_active": "on",
        }
        response = admin_client.post("/admin/regions/department/add/", data)
        assert response.status_code == 302
        assert Department.objects.get(uscc=uscc).region_prefix == "621002"

    def test_a_bad_credit_code_is_a_form_error(self, admin_client: Client, city: Region) -> None:
        data = {
            "name": "西峰区数据局",
            "uscc": "116210020000004200",
            "kind": Department.Kind.OTHER,
            "region": "621002000000",
        }
        response = admin_client.post("/admin/regions/department/add/", data)
        assert response.status_code == 200
        assert "校验位" in response.content.decode()
        assert not Department.objects.exists()

    def test_adding_a_hall_fills_level_and_prefix(self, admin_client: Client, city: Region) -> None:
        data = {
            "name": "肖金镇综合服务大厅",
            "region": "621002100000",
            "address": "",
            "phone": "",
            "opening_hours": "",
            "windows-TOTAL_FORMS": "0",
            "windows-INITIAL_FORMS": "0",
        }
        response = admin_client.post("/admin/regions/hall/add/", data)
        assert response.status_code == 302
        hall = Hall.objects.get(name="肖金镇综合服务大厅")
        assert (hall.level, hall.region_prefix) == (Region.Level.TOWNSHIP, "621002100")
        assert not Window.objects.exists()
