"""Catalog fixtures: a basic item, a department, an item with a valid draft."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Role, Staff
from yiwang.catalog import services
from yiwang.catalog.models import BasicItem, ImplementationItem
from yiwang.regions.models import Department
from yiwang.regions.services import demo_load

PASSWORD = "Qingyang#2026"


def valid_content(**overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "name": "普通护照签发",
        "case_kind": "2",
        "legal_limit": 15,
        "promised_limit": 7,
        "acceptance_conditions": (
            "中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的"
        ),
        "service_objects": ["1"],
        "person_themes": ["出境入境", "证件办理"],
        "handling_forms": ["1", "2"],
        "online_depth": "2",
        "visits": 1,
        "visits_reason": "采集指纹和人像",
        "place": "庆阳市政务服务中心出入境窗口",
        "hours": "工作日 9:00-12:00，14:30-18:00",
        "consult_phone": "0934-8221234",
        "complaint_phone": "12345",
        "charged": True,
        "fee_basis": "《国家发展改革委 财政部关于降低护照等出入境证件收费标准的通知》",
        "fees": [{"name": "护照签发", "amount": "120.00", "basis": "发改价格规〔2019〕914号"}],
        "result_name": "中华人民共和国普通护照",
    }
    content.update(overrides)
    return content


MATERIALS = [
    {"name": "居民身份证", "issuer": "公安机关", "originals": 1, "copies": 0,
     "license_type_code": "11100000000013338W001"},
    {"name": "近期免冠彩色照片", "originals": 1, "copies": 0, "required": False},
]  # fmt: skip
STEPS = [
    {"name": "受理", "role": "window_officer", "limit": 1},
    {"name": "审核", "role": "reviewer", "limit": 4},
    {"name": "决定", "role": "approver", "limit": 2},
]


@pytest.fixture
def regions(db: None) -> None:
    demo_load()


@pytest.fixture
def department(regions: None) -> Department:
    found = Department.objects.filter(region_id="621000000000", kind="public_security").first()
    assert found is not None
    return found


@pytest.fixture
def basic(db: None) -> BasicItem:
    item, _ = services.basic_item_save(
        code="000104002000", name="普通护照签发", matter_type="01", level="3",
        legal_basis="《中华人民共和国护照法》第五条",
    )  # fmt: skip
    return item


@pytest.fixture
def item(basic: BasicItem, department: Department) -> ImplementationItem:
    return services.item_create(
        basic_item=basic, department=department, level="3", content=valid_content(),
        materials=MATERIALS, steps=STEPS,
    )  # fmt: skip


def manager(department: Department, username: str = "catman") -> Staff:
    staff = accounts.staff_create(
        actor=None, username=username, name=username, department=department, phone="",
        password=PASSWORD,
    )  # fmt: skip
    accounts.staff_role_grant(actor=None, staff=staff, role=Role.CATALOG_MANAGER)
    return staff


def _publish(
    basic_code: str, name: str, department: Department, level: str, **content: object
) -> ImplementationItem:
    basic, _ = services.basic_item_save(code=basic_code, name=name, matter_type="01", level=level)
    item = services.item_create(
        basic_item=basic, department=department, level=level,
        content=valid_content(**{"name": name, "result_name": name, **content}),
        materials=MATERIALS, steps=STEPS,
    )  # fmt: skip
    services.item_publish(item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def catalog(department: Department) -> dict[str, ImplementationItem]:
    fund = Department.objects.filter(region_id="621000000000", kind="housing_fund").first()
    county_police = Department.objects.filter(
        region_id="621021000000", kind="public_security"
    ).first()
    assert fund is not None and county_police is not None
    return {
        "passport": _publish("000104002000", "普通护照签发", department, "3"),
        "hk": _publish("000104003000", "往来港澳通行证签发", county_police, "4"),
        "fund": _publish(
            "000118001000",
            "住房公积金个人住房贷款",
            fund,
            "3",
            person_themes=["住房保障"],
            charged=False,
            fee_basis="",
            fees=[],
        ),
    }
