from __future__ import annotations

import pytest

from yiwang.core.identifiers import check_uscc
from yiwang.regions import demo
from yiwang.regions.models import Region, Window
from yiwang.regions.rules import (
    county_short_name,
    demo_organization_body,
    demo_uscc,
    prefix_range,
    township_display_name,
    township_short_name,
)


class TestPrefixRange:
    def test_range_of_a_city(self) -> None:
        assert prefix_range("6210") == ("6210", "6210:")

    @pytest.mark.parametrize(
        "code", ["621000000000", "621002000000", "621027210206", "621099999999"]
    )
    def test_codes_under_the_prefix_are_inside(self, code: str) -> None:
        low, high = prefix_range("6210")
        assert low <= code < high

    @pytest.mark.parametrize(
        "code", ["621100000000", "620000000000", "621", "620999999999", "622000000000"]
    )
    def test_other_codes_are_outside(self, code: str) -> None:
        low, high = prefix_range("6210")
        assert not low <= code < high

    def test_a_prefix_ending_in_nine(self) -> None:
        low, high = prefix_range("621029")
        assert low <= "621029999999" < high
        assert not low <= "621030000000" < high

    @pytest.mark.parametrize("prefix", ["", "62%", "62_1", "６２"])
    def test_refuses_anything_but_digits(self, prefix: str) -> None:
        with pytest.raises(ValueError):
            prefix_range(prefix)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("西峰区", "西峰"),
        ("庆城县", "庆城"),
        ("环县", "环县"),
        ("宁县", "宁县"),
        ("镇原县", "镇原"),
    ],
)
def test_county_short_name(name: str, short: str) -> None:
    assert county_short_name(name) == short


@pytest.mark.parametrize(
    ("name", "short", "display"),
    [
        ("肖金镇", "肖金", "肖金镇"),
        ("什社乡", "什社", "什社乡"),
        ("北街办事处街道", "北街", "北街街道"),
        ("五顷塬回族乡", "五顷塬", "五顷塬回族乡"),
        ("城关镇", "城关", "城关镇"),
    ],
)
def test_township_names(name: str, short: str, display: str) -> None:
    assert township_short_name(name) == short
    assert township_display_name(name) == display


class TestDemoUscc:
    def test_is_valid_and_structured(self) -> None:
        uscc = demo_uscc(kind_code="12", region6="621000", organization_body="12345678")
        assert check_uscc(uscc) == uscc
        assert uscc[:8] == "12621000"
        assert uscc[8:16] == "12345678"

    def test_organization_body_is_deterministic(self) -> None:
        first = demo_organization_body("621000000000:庆阳市公安局")
        assert first == demo_organization_body("621000000000:庆阳市公安局")
        assert first.isdigit()
        assert len(first) == 8
        assert demo_organization_body("621000000000:庆阳市公安局", salt=1) != first

    def test_refuses_a_malformed_kind_or_region(self) -> None:
        with pytest.raises(ValueError):
            demo_uscc(kind_code="1", region6="621000", organization_body="12345678")
        with pytest.raises(ValueError):
            demo_uscc(kind_code="11", region6="6210", organization_body="12345678")


class TestDemoSpecs:
    city = demo.Place("621000000000", "庆阳市")
    counties = (demo.Place("621002000000", "西峰区"), demo.Place("621021000000", "庆城县"))
    townships = (
        demo.Place("621002100000", "肖金镇", "621002000000"),
        demo.Place("621002001000", "北街办事处街道", "621002000000"),
        demo.Place("621021100000", "驿马镇", "621021000000"),
    )

    def specs(self) -> list[demo.DepartmentSpec]:
        return demo.department_specs(
            city=self.city, counties=self.counties, townships=self.townships
        )

    def test_counts_per_level(self) -> None:
        specs = self.specs()
        by_region = [spec.region_code for spec in specs]
        assert by_region.count("621000000000") == 48
        assert by_region.count("621002000000") == 37
        assert by_region.count("621021000000") == 37
        assert by_region.count("621002100000") == 3
        assert len(specs) == 48 + 2 * 37 + 3 * 3

    def test_same_every_time(self) -> None:
        assert self.specs() == self.specs()

    def test_credit_codes_valid_and_unique(self) -> None:
        codes = [spec.uscc for spec in self.specs()]
        assert all(check_uscc(code) == code for code in codes)
        assert len(set(codes)) == len(codes)

    def test_township_stations_register_with_their_county(self) -> None:
        stations = [spec for spec in self.specs() if spec.region_code == "621002100000"]
        assert {spec.uscc[2:8] for spec in stations} == {"621002"}
        assert {spec.name for spec in stations} == {
            "肖金镇便民服务中心",
            "西峰区公安分局肖金派出所",
            "西峰区司法局肖金司法所",
        }

    def test_every_parent_is_a_spec(self) -> None:
        specs = self.specs()
        keys = {(spec.region_code, spec.name) for spec in specs}
        assert all(spec.parent in keys for spec in specs if spec.parent)

    def test_street_name_is_the_everyday_one(self) -> None:
        names = {spec.name for spec in self.specs()}
        assert "北街街道便民服务中心" in names
        assert "西峰区公安分局北街派出所" in names


@pytest.mark.parametrize(
    ("level", "township", "count"),
    [
        (Region.Level.CITY, "", 18),
        (Region.Level.COUNTY, "", 14),
        (Region.Level.TOWNSHIP, "肖金镇", 3),
        (Region.Level.TOWNSHIP, "北街办事处街道", 3),
        (Region.Level.TOWNSHIP, "什社乡", 2),
    ],
)
def test_window_layouts(level: str, township: str, count: int) -> None:
    windows = demo.window_specs(level, township_name=township)
    assert len(windows) == count
    numbers = [window.number for window in windows]
    assert len(set(numbers)) == len(numbers)
    assert windows[0].kind == Window.Kind.GENERAL
    assert all(window.role for window in windows if window.kind == Window.Kind.SPECIALIST)
