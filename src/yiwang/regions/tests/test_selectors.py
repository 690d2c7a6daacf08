from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from yiwang.regions.models import Department, Hall, Region
from yiwang.regions.selectors import (
    city_get,
    departments_at,
    departments_within,
    halls_within,
    region_children,
    region_get,
    region_overview,
    regions_within,
)

XIFENG = "621002000000"
XIAOJIN = "621002100000"


@pytest.mark.django_db
class TestRegionGet:
    def test_by_code(self, city: Region) -> None:
        assert region_get(code=XIFENG).name == "西峰区"

    def test_unknown_code(self, city: Region) -> None:
        with pytest.raises(Region.DoesNotExist):
            region_get(code="621099000000")

    def test_city_is_qingyang_by_default(self, city: Region) -> None:
        assert city_get() == city

    def test_city_follows_the_setting(self, city: Region, settings: Any) -> None:
        settings.YIWANG = {**settings.YIWANG, "CITY_CODE": XIFENG}
        assert city_get().name == "西峰区"


@pytest.mark.django_db
class TestRegionTree:
    def test_children_of_the_city_are_its_counties_in_code_order(self, city: Region) -> None:
        codes = list(region_children(region=city).values_list("code", flat=True))
        assert codes == [
            "621002000000",
            "621021000000",
            "621022000000",
            "621023000000",
            "621024000000",
            "621025000000",
            "621026000000",
            "621027000000",
        ]

    def test_children_of_a_county_are_only_its_townships(self, city: Region) -> None:
        children = list(region_children(region=region_get(code=XIFENG)))
        assert len(children) == 10
        assert {child.level for child in children} == {Region.Level.TOWNSHIP}
        assert all(child.parent_id == XIFENG for child in children)

    def test_a_village_is_within_its_township_county_and_city(self, city: Region) -> None:
        village = region_get(code="621027210206")
        for code in ["621027210000", "621027000000", "621000000000", "620000000000"]:
            assert village in regions_within(region=region_get(code=code))
        assert village not in regions_within(region=region_get(code=XIFENG))

    def test_within_the_city_is_the_whole_file(self, city: Region) -> None:
        within = regions_within(region=city)
        assert within.count() == 1 + 8 + 119 + 1392
        assert within.first() == city

    def test_dingxi_is_not_within_qingyang(self, dingxi: Region, city: Region) -> None:
        within = set(regions_within(region=city).values_list("code", flat=True))
        assert not any(code.startswith("6211") for code in within)
        assert "620000000000" not in within
        assert set(regions_within(region=dingxi).values_list("code", flat=True)) == {
            "621100000000",
            "621102000000",
            "621102100000",
            "621102100201",
        }
        # What stripping zeros would have done: "621" also catches 定西.
        assert Region.objects.filter(code__startswith="621", name="定西市").exists()


@pytest.mark.django_db
class TestDepartments:
    def test_within_the_city_are_the_701_and_not_dingxis(
        self, demo: Region, dingxi: Region
    ) -> None:
        within = departments_within(region=demo)
        assert within.count() == 701
        assert not within.filter(region_prefix__startswith="6211").exists()
        assert list(departments_within(region=dingxi).values_list("name", flat=True)) == [
            "安定区公安分局"
        ]

    def test_within_a_county_includes_its_township_stations(self, demo: Region) -> None:
        xifeng = region_get(code=XIFENG)
        within = departments_within(region=xifeng)
        assert within.count() == 37 + 3 * 10
        assert set(within.values_list("region_prefix", flat=True)) >= {"621002", "621002100"}
        assert "庆阳市公安局" not in set(within.values_list("name", flat=True))

    def test_within_a_township(self, demo: Region) -> None:
        names = set(
            departments_within(region=region_get(code=XIAOJIN)).values_list("name", flat=True)
        )
        assert names == {"肖金镇便民服务中心", "西峰区公安分局肖金派出所", "西峰区司法局肖金司法所"}

    def test_within_is_ordered_by_region_then_name(self, demo: Region) -> None:
        rows = list(departments_within(region=demo).values_list("region_id", "name"))
        assert rows == sorted(rows)
        assert rows[0][0] == demo.code

    def test_at_is_exactly_that_region(self, demo: Region) -> None:
        at_city = departments_at(region=demo)
        assert at_city.count() == 48
        assert set(at_city.values_list("region_id", flat=True)) == {demo.code}
        at_county = departments_at(region=region_get(code=XIFENG))
        assert at_county.count() == 37
        assert "西峰区公安分局" in set(at_county.values_list("name", flat=True))


@pytest.mark.django_db
class TestHalls:
    def test_within_a_county(self, demo: Region) -> None:
        halls = halls_within(region=region_get(code=XIFENG))
        assert halls.count() == 1 + 10
        assert halls.first() == Hall.objects.get(name="西峰区政务服务中心")

    def test_within_the_city_not_dingxi(self, demo: Region, dingxi: Region) -> None:
        assert halls_within(region=demo).count() == 1 + 8 + 119
        assert not halls_within(region=demo).filter(name="安定区政务服务中心").exists()
        assert halls_within(region=dingxi).get().name == "安定区政务服务中心"


def _plan(queryset: QuerySet[Any]) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("selector", "column"),
    [
        (regions_within, "prefix"),
        (departments_within, "region_prefix"),
        (halls_within, "region_prefix"),
    ],
)
def test_prefix_scoping_uses_an_index(demo: Region, selector: Any, column: str) -> None:
    plan = _plan(selector(region=region_get(code=XIFENG)))
    if connection.vendor == "sqlite":
        assert "USING INDEX regions_" in plan
        assert f"({column}>? AND {column}<?)" in plan
        assert "SCAN regions_" not in plan
    else:
        assert "Seq Scan" not in plan
        assert f"_{column}_" in plan


@pytest.mark.django_db
def test_region_overview(demo: Region, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(5):
        overview = region_overview(city=demo)
        counties = overview["counties"]
        figures = [(c.name, c.department_count, c.township_count) for c in counties]
    assert overview["city"] == demo
    assert figures[0] == ("西峰区", 37 + 3 * 10, 10)
    assert [name for name, _, _ in figures] == list(
        Region.objects.filter(level=Region.Level.COUNTY).values_list("name", flat=True)
    )
    assert sum(townships for _, _, townships in figures) == 119
    assert overview["township_count"] == 119
    assert overview["village_count"] == 1392
    assert overview["department_count"] == 701
    assert overview["city_department_count"] == 48
    assert len(overview["city_departments"]) == 48
    assert all(isinstance(d, Department) for d in overview["city_departments"])
