from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from yiwang.core.errors import YiwangError
from yiwang.core.identifiers import check_uscc
from yiwang.regions import services
from yiwang.regions.models import Department, Hall, Region, Window
from yiwang.regions.rules import demo_uscc
from yiwang.regions.selectors import departments_at, departments_within

COUNTIES = {
    "621002000000": "西峰区",
    "621021000000": "庆城县",
    "621022000000": "环县",
    "621023000000": "华池县",
    "621024000000": "合水县",
    "621025000000": "正宁县",
    "621026000000": "宁县",
    "621027000000": "镇原县",
}


def _snapshot() -> list[tuple[str, str, str, str | None, str]]:
    return list(Region.objects.values_list("code", "name", "level", "parent_id", "prefix"))


@pytest.mark.django_db
class TestRegionsLoad:
    def test_loads_the_shipped_divisions(self) -> None:
        assert services.regions_load() == 1 + 1 + 8 + 119 + 1392
        levels = Counter(Region.objects.values_list("level", flat=True))
        assert levels == {
            Region.Level.PROVINCE: 1,
            Region.Level.CITY: 1,
            Region.Level.COUNTY: 8,
            Region.Level.TOWNSHIP: 119,
            Region.Level.VILLAGE: 1392,
        }

    def test_city_and_counties_have_their_gb_2260_codes(self) -> None:
        services.regions_load()
        city = Region.objects.get(code="621000000000")
        assert (city.name, city.level, city.prefix) == ("庆阳市", Region.Level.CITY, "6210")
        assert city.parent is not None
        assert (city.parent.code, city.parent.name) == ("620000000000", "甘肃省")
        assert city.parent.level == Region.Level.PROVINCE
        assert city.parent.parent is None
        counties = Region.objects.filter(level=Region.Level.COUNTY)
        assert dict(counties.values_list("code", "name")) == COUNTIES
        assert set(counties.values_list("parent_id", flat=True)) == {city.code}

    def test_prefixes_and_parents_are_consistent(self) -> None:
        services.regions_load()
        regions = {region.code: region for region in Region.objects.all()}
        digits = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
        for region in regions.values():
            assert region.prefix == region.code[: digits[region.level]]
            if region.parent_id is not None:
                parent = regions[region.parent_id]
                assert region.code.startswith(parent.prefix)
                assert digits[parent.level] < digits[region.level]

    def test_sample_township_and_village(self) -> None:
        services.regions_load()
        township = Region.objects.get(code="621002100000")
        assert (township.name, township.prefix, township.parent_id) == (
            "肖金镇",
            "621002100",
            "621002000000",
        )
        village = Region.objects.get(code="621027210206")
        assert (village.name, village.level, village.parent_id) == (
            "高胜村委会",
            Region.Level.VILLAGE,
            "621027210000",
        )

    def test_second_run_changes_nothing(self) -> None:
        services.regions_load()
        before = _snapshot()
        assert services.regions_load() == 0
        assert _snapshot() == before

    def test_reload_repairs_an_edited_region(self) -> None:
        services.regions_load()
        Region.objects.filter(code="621002000000").update(name="改过的名字", prefix="6")
        assert services.regions_load() == 0
        county = Region.objects.get(code="621002000000")
        assert (county.name, county.prefix) == ("西峰区", "621002")

    def test_is_fast(self) -> None:
        started = time.perf_counter()
        services.regions_load()
        assert time.perf_counter() - started < 3

    def test_reads_another_file(self, tmp_path: Path) -> None:
        path = tmp_path / "divisions.csv"
        path.write_text(
            "code,name,level,parent_code\n"
            "621000000000,庆阳市,city,620000000000\n"
            "621002000000,西峰区,county,621000000000\n",
            encoding="utf-8",
        )
        assert services.regions_load(path=path) == 3
        assert Region.objects.get(code="620000000000").name == "甘肃省"

    def test_refuses_a_level_that_contradicts_the_code(self, tmp_path: Path) -> None:
        path = tmp_path / "divisions.csv"
        path.write_text(
            "code,name,level,parent_code\n621002000000,西峰区,township,621000000000\n",
            encoding="utf-8",
        )
        with pytest.raises(YiwangError, match="第2行"):
            services.regions_load(path=path)
        assert not Region.objects.exists()

    def test_refuses_a_missing_parent_below_province(self, tmp_path: Path) -> None:
        path = tmp_path / "divisions.csv"
        path.write_text(
            "code,name,level,parent_code\n621002000000,西峰区,county,621000000000\n",
            encoding="utf-8",
        )
        with pytest.raises(YiwangError, match="上级区划"):
            services.regions_load(path=path)


@pytest.mark.django_db
class TestRegionSave:
    def test_derives_level_and_prefix(self, city: Region) -> None:
        region = services.region_save(
            region=Region(code="621002100999", name="测试村", parent_id="621002100000")
        )
        assert (region.level, region.prefix) == (Region.Level.VILLAGE, "621002100999")

    def test_refuses_a_code_outside_the_parent(self, city: Region) -> None:
        with pytest.raises(YiwangError) as error:
            services.region_save(
                region=Region(code="621021100999", name="测试村", parent_id="621002100000")
            )
        assert "parent" in error.value.fields

    def test_refuses_a_malformed_code(self, city: Region) -> None:
        with pytest.raises(YiwangError) as error:
            services.region_save(region=Region(code="62100", name="坏代码"))
        assert "code" in error.value.fields


@pytest.mark.django_db
class TestDepartmentsLoadDemo:
    def test_needs_the_divisions(self) -> None:
        with pytest.raises(YiwangError, match="行政区划"):
            services.departments_load_demo()

    def test_creates_701_departments_once(self, city: Region) -> None:
        assert services.departments_load_demo() == 701
        assert Department.objects.count() == 701
        assert services.departments_load_demo() == 0
        assert Department.objects.count() == 701

    def test_spread_over_city_counties_and_townships(self, city: Region) -> None:
        services.departments_load_demo()
        assert departments_at(region=city).count() == 48
        for code in COUNTIES:
            county = Region.objects.get(code=code)
            townships = county.children.count()
            assert departments_at(region=county).count() == 37
            assert departments_within(region=county).count() == 37 + 3 * townships
        for township in Region.objects.filter(level=Region.Level.TOWNSHIP):
            assert departments_at(region=township).count() == 3
        assert not Department.objects.filter(region__level=Region.Level.VILLAGE).exists()

    def test_credit_codes_are_valid_unique_and_well_formed(self, city: Region) -> None:
        services.departments_load_demo()
        rows = list(Department.objects.select_related("region"))
        codes = [row.uscc for row in rows]
        assert len(set(codes)) == 701
        for row in rows:
            assert check_uscc(row.uscc) == row.uscc
            assert row.uscc[:2] in {"11", "12", "13"}
            # Registered with the city or the county: a township's station with its county.
            assert row.uscc[2:8] == row.region.code[:6]
        fund = Department.objects.get(name="庆阳市住房公积金管理中心")
        assert fund.uscc[:2] == "12"
        assert Department.objects.get(name="庆阳市公安局").uscc[:2] == "11"

    def test_region_prefix_is_the_regions(self, city: Region) -> None:
        services.departments_load_demo()
        for department in Department.objects.select_related("region"):
            assert department.region_prefix == department.region.prefix

    def test_names_and_hierarchy(self, city: Region) -> None:
        services.departments_load_demo()
        city_police = Department.objects.get(name="庆阳市公安局", region=city)
        xifeng_police = Department.objects.get(name="西峰区公安分局")
        assert xifeng_police.parent == city_police
        qingcheng_police = Department.objects.get(name="庆城县公安局")
        assert qingcheng_police.parent is None
        station = Department.objects.get(name="庆城县公安局驿马派出所")
        assert station.parent == qingcheng_police
        assert station.region.name == "驿马镇"
        tax = Department.objects.get(name="国家税务总局庆城县税务局")
        assert tax.parent == Department.objects.get(name="国家税务总局庆阳市税务局")
        centre = Department.objects.get(name="肖金镇便民服务中心")
        assert centre.kind == Department.Kind.TOWNSHIP_SERVICE_CENTER
        assert centre.region.code == "621002100000"
        kinds = Counter(Department.objects.values_list("kind", flat=True))
        assert kinds[Department.Kind.TOWNSHIP_SERVICE_CENTER] == 119
        assert kinds[Department.Kind.TAXATION] == 9
        assert kinds[Department.Kind.HOUSING_FUND] == 9

    def test_leaves_an_edited_department_alone(self, city: Region) -> None:
        services.departments_load_demo()
        Department.objects.filter(name="庆阳市教育局").update(short_name="教育局", is_active=False)
        assert services.departments_load_demo() == 0
        education = Department.objects.get(name="庆阳市教育局")
        assert (education.short_name, education.is_active) == ("教育局", False)


@pytest.mark.django_db
class TestDepartmentCreate:
    def uscc(self, body: str = "00000001") -> str:
        return demo_uscc(kind_code="11", region6="621002", organization_body=body)

    def test_creates_with_the_region_prefix(self, city: Region) -> None:
        county = Region.objects.get(code="621002000000")
        department = services.department_create(
            region=county,
            name="西峰区数据局",
            kind=Department.Kind.OTHER,
            uscc=" " + self.uscc().lower() + " ",
        )
        assert department.region_prefix == "621002"
        assert department.uscc == self.uscc()

    @pytest.mark.parametrize("uscc", ["", "11621002000000010", "116210020000000019"])
    def test_refuses_a_bad_credit_code(self, city: Region, uscc: str) -> None:
        with pytest.raises(YiwangError) as error:
            services.department_create(
                region=city, name="某局", kind=Department.Kind.OTHER, uscc=uscc
            )
        assert "uscc" in error.value.fields
        assert not Department.objects.exists()

    def test_refuses_a_duplicate(self, city: Region) -> None:
        services.department_create(
            region=city, name="某局", kind=Department.Kind.OTHER, uscc=self.uscc()
        )
        with pytest.raises(YiwangError) as same_code:
            services.department_create(
                region=city, name="另一局", kind=Department.Kind.OTHER, uscc=self.uscc()
            )
        assert same_code.value.code == "conflict"
        with pytest.raises(YiwangError) as same_name:
            services.department_create(
                region=city, name="某局", kind=Department.Kind.OTHER, uscc=self.uscc("00000002")
            )
        assert "name" in same_name.value.fields

    def test_refuses_an_unknown_kind(self, city: Region) -> None:
        with pytest.raises(YiwangError) as error:
            services.department_create(region=city, name="某局", kind="bogus", uscc=self.uscc())
        assert "kind" in error.value.fields


@pytest.mark.django_db
class TestHallsLoadDemo:
    def test_needs_the_departments(self, city: Region) -> None:
        with pytest.raises(YiwangError, match="演示部门"):
            services.halls_load_demo()
        assert not Hall.objects.exists()

    def test_one_hall_per_city_county_and_township(self, city: Region) -> None:
        services.departments_load_demo()
        assert services.halls_load_demo() == 1 + 8 + 119
        assert services.halls_load_demo() == 0
        assert Hall.objects.get(region=city).name == "庆阳市政务服务中心"
        for code, name in COUNTIES.items():
            hall = Hall.objects.get(region_id=code)
            assert hall.name == f"{name}政务服务中心"
            assert hall.level == Region.Level.COUNTY
            assert hall.region_prefix == code[:6]
        assert Hall.objects.filter(level=Region.Level.TOWNSHIP).count() == 119
        assert Hall.objects.filter(name="肖金镇便民服务中心", region_id="621002100000").exists()

    def test_windows(self, demo: Region) -> None:
        city_hall = Hall.objects.get(region=demo)
        assert city_hall.windows.count() == 18
        for code in COUNTIES:
            hall = Hall.objects.get(region_id=code)
            kinds = Counter(hall.windows.values_list("kind", flat=True))
            assert kinds == {"general": 4, "specialist": 8, "delivery": 1, "consultation": 1}
        for hall in Hall.objects.filter(level=Region.Level.TOWNSHIP):
            assert 2 <= hall.windows.count() <= 3

    def test_specialist_windows_belong_to_departments_of_that_level(self, demo: Region) -> None:
        specialists = Window.objects.filter(kind=Window.Kind.SPECIALIST).select_related(
            "hall", "department"
        )
        assert specialists.count() == 8 + 8 * 8 + 119
        for window in specialists:
            assert window.department is not None
            assert window.department.region_id == window.hall.region_id
        assert not Window.objects.exclude(kind=Window.Kind.SPECIALIST).filter(
            department__isnull=False
        )
        tax_window = Window.objects.get(hall__region_id="621021000000", number="B05")
        assert tax_window.department is not None
        assert tax_window.department.name == "国家税务总局庆城县税务局"
        fund_window = Window.objects.get(hall__region=demo, number="B04")
        assert fund_window.department is not None
        assert fund_window.department.name == "庆阳市住房公积金管理中心"

    def test_hall_save_fills_level_and_prefix(self, city: Region) -> None:
        township = Region.objects.get(code="621002100000")
        hall = services.hall_save(hall=Hall(name="肖金镇综合服务大厅", region=township))
        assert (hall.level, hall.region_prefix) == (Region.Level.TOWNSHIP, "621002100")


@pytest.mark.django_db
def test_demo_load_twice() -> None:
    started = time.perf_counter()
    first = services.demo_load()
    elapsed = time.perf_counter() - started
    assert first == {"regions": 1521, "departments": 701, "halls": 128, "windows": 444}
    assert services.demo_load() == {"regions": 0, "departments": 0, "halls": 0, "windows": 0}
    assert elapsed < 5
