from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.regions.models import Department, Region

XIFENG = "621002000000"


@pytest.mark.django_db
class TestRegionsApi:
    def test_region(self, client: Client, city: Region) -> None:
        response = client.get(f"/api/regions/{XIFENG}")
        assert response.status_code == 200
        assert response.json() == {
            "code": XIFENG,
            "name": "西峰区",
            "level": "county",
            "parent_code": "621000000000",
        }

    def test_unknown_region_is_a_404_in_the_one_error_shape(
        self, client: Client, city: Region
    ) -> None:
        response = client.get("/api/regions/621099000000/departments")
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message", "fields"}
        assert response.json()["code"] == "not_found"

    def test_children(self, client: Client, city: Region) -> None:
        response = client.get(f"/api/regions/{city.code}/children")
        assert response.status_code == 200
        assert [row["name"] for row in response.json()][:2] == ["西峰区", "庆城县"]
        assert len(response.json()) == 8

    def test_departments_at_and_within(
        self, client: Client, demo: Region, django_assert_max_num_queries: Any
    ) -> None:
        with django_assert_max_num_queries(2):
            at_city = client.get(f"/api/regions/{demo.code}/departments").json()
        assert len(at_city) == 48
        assert set(at_city[0]) == {
            "id",
            "name",
            "short_name",
            "uscc",
            "kind",
            "region_code",
            "parent_id",
        }
        with django_assert_max_num_queries(2):
            within = client.get(f"/api/regions/{demo.code}/departments?within=true").json()
        assert len(within) == 701

    def test_inactive_departments_are_not_listed(self, client: Client, demo: Region) -> None:
        Department.objects.filter(name="庆阳市教育局").update(is_active=False)
        names = [row["name"] for row in client.get(f"/api/regions/{demo.code}/departments").json()]
        assert "庆阳市教育局" not in names
        assert len(names) == 47

    def test_halls_with_windows(
        self, client: Client, demo: Region, django_assert_max_num_queries: Any
    ) -> None:
        with django_assert_max_num_queries(3):
            halls = client.get(f"/api/regions/{XIFENG}/halls").json()
        assert len(halls) == 11
        assert halls[0]["name"] == "西峰区政务服务中心"
        assert [window["number"] for window in halls[0]["windows"]][:5] == [
            "A01",
            "A02",
            "A03",
            "A04",
            "B01",
        ]
