"""The Qingyang demo catalog: its size, codes, published versions, spread over the regions, and
that a second load writes nothing.

The catalog is loaded once for the module (about 60,000 rows), inside a transaction that is
rolled back at the end; each test runs in a savepoint of its own within it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from yiwang.accounts.models import Role
from yiwang.catalog import services
from yiwang.catalog.codes import ENTERPRISE_THEMES, PERSON_THEMES, MatterType
from yiwang.catalog.demo import catalog_demo_load, step_limits
from yiwang.catalog.demo_data.catalog import MATTERS, TEMPLATES, basic_specs
from yiwang.catalog.demo_data.common import LICENSE_TYPES
from yiwang.catalog.models import (
    BasicItem,
    ImplementationItem,
    ItemStatus,
    ItemVersion,
    Material,
    Step,
    VersionState,
)
from yiwang.catalog.rules import (
    check_basic_code,
    check_implementation_code,
    implementation_code,
    quality_problems,
    search_text,
)
from yiwang.regions.models import Region
from yiwang.regions.services import demo_load

ID_CARD_LICENSE = "11100000000013338W001"


@dataclass(frozen=True)
class Loaded:
    counts: dict[str, int]
    seconds: float


@pytest.fixture(scope="module")
def demo_catalog(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        start = time.perf_counter()
        counts = catalog_demo_load()
        loaded = Loaded(counts, time.perf_counter() - start)
        yield loaded
        transaction.set_rollback(True)


# --- The data itself (no database) ---------------------------------------------------------------


def test_the_catalog_data_is_the_same_on_every_build_with_unique_valid_codes() -> None:
    specs = basic_specs()
    assert specs == basic_specs()
    assert len(specs) == 1550
    codes = [spec.code for spec in specs]
    assert len(set(codes)) == len(codes)
    for spec in specs:
        assert check_basic_code(spec.code) == spec.code and spec.code.isdigit()
        assert spec.code.startswith("00" if spec.source == "national" else "62")
        assert spec.matter_type in MatterType.values
        if spec.parent_code:
            assert spec.code[:10] == spec.parent_code[:10] and spec.parent_code.endswith("00")
    assert 40 <= len(TEMPLATES) <= 80


def test_matters_use_the_national_code_lists_and_known_license_types() -> None:
    for matter in MATTERS:
        for leaf in matter.leaves():
            assert set(leaf.person_themes) <= set(PERSON_THEMES), leaf.name
            assert set(leaf.enterprise_themes) <= set(ENTERPRISE_THEMES), leaf.name
            assert leaf.person_themes or leaf.enterprise_themes, leaf.name
            assert {role for _, role in leaf.steps} <= set(Role.values), leaf.name
            assert all(m.license in LICENSE_TYPES for m in leaf.materials if m.license)
            assert not leaf.fees or leaf.fee_basis, leaf.name


def test_step_limits_add_up_to_the_promised_limit() -> None:
    assert step_limits(7, 4) == [1, 4, 1, 1]
    assert step_limits(0, 1) == [0]
    assert step_limits(1, 3) == [0, 1, 0]
    assert all(sum(step_limits(days, n)) == days for days in range(40) for n in range(1, 6))


# --- Loaded ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_are_at_qingyang_scale(demo_catalog: Loaded) -> None:
    counts = demo_catalog.counts
    assert 1500 <= counts["basic_items"] <= 1600
    assert 5000 <= counts["implementation_items"] <= 5400
    assert counts == {
        "basic_items": BasicItem.objects.count(),
        "implementation_items": ImplementationItem.objects.count(),
        "materials": Material.objects.count(),
        "steps": Step.objects.count(),
    }
    # Main items with sub-items are not carried out themselves; their sub-items are.
    parents = BasicItem.objects.filter(children__isnull=False).distinct()
    assert parents.exists() and not ImplementationItem.objects.filter(basic_item__in=parents)


@pytest.mark.django_db
def test_implementation_codes_are_valid_unique_and_the_departments(demo_catalog: Loaded) -> None:
    items = ImplementationItem.objects.select_related("department", "basic_item")
    codes = []
    for item in items:
        department = item.department
        assert check_implementation_code(item.code) == item.code
        assert item.code == implementation_code(
            uscc=department.uscc, level=item.level, basic_code=item.basic_item.code
        )
        assert (item.region_id, item.region_prefix) == (
            department.region_id,
            department.region_prefix,
        )
        codes.append(item.code)
    assert len(set(codes)) == len(codes)


@pytest.mark.django_db
def test_every_item_is_published_as_item_publish_leaves_it(demo_catalog: Loaded) -> None:
    versions = ItemVersion.objects.select_related("item__basic_item").annotate(
        step_count=Count("steps")
    )
    seen = 0
    for version in versions:
        item = version.item
        assert quality_problems(version, step_count=version.step_count) == [], version.name
        assert (version.state, version.number) == (VersionState.PUBLISHED, 1)
        assert version.published_at is not None and version.published_by == services.SYSTEM
        assert item.current_version_id == version.pk and item.status == ItemStatus.PUBLISHED
        assert item.name == version.name and item.matter_type == item.basic_item.matter_type
        assert (item.person_themes, item.enterprise_themes) == (
            version.person_themes,
            version.enterprise_themes,
        )
        assert item.search_text == search_text(
            version.name,
            item.basic_item.name,
            extra=[*version.person_themes, *version.enterprise_themes, version.result_name],
        )
        assert version.consult_phone.startswith("0934-") and version.complaint_phone == "12345"
        seen += 1
    assert seen == demo_catalog.counts["implementation_items"]


@pytest.mark.django_db
def test_a_demo_item_republishes_through_the_services_unchanged(demo_catalog: Loaded) -> None:
    item = ImplementationItem.objects.filter(name="存量房（二手房）买卖转移登记").first()
    assert item is not None
    before = (item.name, item.search_text, item.person_themes, item.enterprise_themes)
    services.item_draft(item=item)
    version = services.item_publish(item=item)
    item.refresh_from_db()
    assert version.number == 2 and item.current_version == version
    assert (item.name, item.search_text, item.person_themes, item.enterprise_themes) == before


@pytest.mark.django_db
def test_the_passport_is_issued_at_city_level_with_materials_and_steps(
    demo_catalog: Loaded,
) -> None:
    main = BasicItem.objects.get(name="普通护照签发")
    assert (main.source, main.code[:4], main.parent_id) == ("national", "0001", None)
    assert set(main.children.values_list("name", flat=True)) == {
        f"普通护照签发（{label}）" for label in ("首次申领", "换发", "补发", "加注")
    }
    item = ImplementationItem.objects.select_related("department", "current_version").get(
        name="普通护照签发（首次申领）", level="3"
    )
    assert item.department.kind == "public_security" and "出入境" in item.department.name
    assert item.region.level == Region.Level.CITY
    assert "出境入境" in item.person_themes
    version = item.current_version
    assert version is not None
    assert version.fees == [
        {"name": "普通护照签发", "amount": "120.00", "basis": "发改价格规〔2019〕914号"}
    ]
    assert version.place.startswith("庆阳市政务服务中心")
    materials = list(version.materials.all())
    assert materials[0].name == "居民身份证" and materials[0].license_type_code == ID_CARD_LICENSE
    steps = list(version.steps.values_list("role", "limit"))
    assert [role for role, _ in steps] == [
        "window_officer",
        "reviewer",
        "approver",
        "window_officer",
    ]
    assert sum(limit for _, limit in steps) == version.promised_limit == 7


@pytest.mark.django_db
def test_items_are_carried_in_the_city_every_county_and_every_township(
    demo_catalog: Loaded,
) -> None:
    per_region = Counter(ImplementationItem.objects.values_list("region_id", flat=True))
    regions = Region.objects.exclude(level=Region.Level.VILLAGE).exclude(
        level=Region.Level.PROVINCE
    )
    for region in regions:
        assert per_region[region.code] > 0, region.name
    levels = dict(
        ImplementationItem.objects.values("region__level")
        .annotate(n=Count("pk"))
        .values_list("region__level", "n")
    )
    assert levels[Region.Level.COUNTY] > levels[Region.Level.CITY] > 0
    township_names = set(
        ImplementationItem.objects.filter(level="5").values_list("name", flat=True)
    )
    assert {"高龄老人补贴申请", "最低生活保障申请受理", "临时救助"} <= township_names
    assert "城乡居民基本医疗保险参保登记" in township_names


@pytest.mark.django_db
def test_the_real_templates_are_there(demo_catalog: Loaded) -> None:
    names = set(ImplementationItem.objects.values_list("name", flat=True).distinct())
    expected = {
        "往来港澳通行证签发（首次申领）",
        "存量房（二手房）买卖转移登记",
        "购买新建商品住房公积金贷款",
        "租赁住房提取住房公积金",
        "失业保险金申领",
        "社会保障卡申领（首次申领）",
        "退休人员领取养老金资格认证",
        "生育保险待遇（生育津贴）申领",
        "有限责任公司设立登记",
        "食品经营许可（新办）",
        "内地居民结婚登记",
        "机动车驾驶证有效期满换证",
        "居民身份证申领、换领、补领（有效期满换领）",
        "户口迁移登记",
        "残疾人证办理（新办）",
        "个体工商户设立登记",
        "建筑工程施工许可证核发（新办）",
        "道路普通货物运输经营许可",
        "药品零售经营许可（新办）",
    }
    assert expected <= names


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo_catalog: Loaded) -> None:
    before = ImplementationItem.objects.count()
    assert catalog_demo_load() == dict.fromkeys(demo_catalog.counts, 0)
    assert ImplementationItem.objects.count() == before


def test_the_load_is_quick(demo_catalog: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\n  demo catalog: {demo_catalog.counts} in {demo_catalog.seconds:.1f} s")
    assert demo_catalog.seconds < 120
