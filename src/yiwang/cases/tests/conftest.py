"""Case fixtures: a published matter of 西峰区市场监管局 that can be applied for online, the
officers of its three steps (window, reviewer, approver), and factories for cases in each state.

Personas come from the accounts fixtures: `citizen` (张三, legal representative of
`enterprise`), `other_citizen` (李四, the enterprise's agent via `grant`), `officer` (window) and
`colleague` (reviewer) of 西峰区市场监管局, `other_officer` (庆城县公安局)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.tests.conftest import *  # noqa: F403
from yiwang.accounts.tests.conftest import XIFENG, _staff
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.services import Missing, Upload
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.tests.conftest import valid_content
from yiwang.core.samples import pdf_bytes

FORM = [
    {"name": "applicant", "label": "申请人", "type": "text", "required": True,
     "fill_from": "person.name"},
    {"name": "id_number", "label": "身份证号码", "type": "resident_id", "required": True,
     "fill_from": "person.resident_id"},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True,
     "fill_from": "person.phone"},
    {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True, "max_length": 50},
    {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
]  # fmt: skip
MATERIALS = [
    {"name": "食品经营许可申请书", "originals": 1},
    {"name": "经营场所平面图", "originals": 1},
    {"name": "其他说明材料", "originals": 1, "required": False},
]
STEPS = [
    {"name": "受理", "role": "window_officer", "limit": 1},
    {"name": "审核", "role": "reviewer", "limit": 4},
    {"name": "决定", "role": "approver", "limit": 2},
]
FORM_DATA = {"shop_name": "西峰小吃店", "area": "45"}


def uploads(*seqs: int) -> list[Upload]:
    return [
        Upload(material_seq=seq, name=f"材料{seq}.pdf", data=pdf_bytes(f"m{seq}")) for seq in seqs
    ]


@pytest.fixture
def approver(regions: None) -> Staff:
    return _staff("head", XIFENG, "market_regulation", "13900000021", Role.APPROVER)


@pytest.fixture
def matter(officer: Staff) -> ImplementationItem:
    """食品经营许可 at 西峰区市场监管局 (the officers' department): online, 3 steps."""
    basic, _ = catalog.basic_item_save(
        code="000119001000", name="食品经营许可", matter_type="01", level="4"
    )
    content = valid_content(
        name="食品经营许可",
        result_name="食品经营许可证",
        legal_limit=20,
        promised_limit=10,
        service_objects=["1", "2"],
        online=True,
        online_depth="3",
        deliverable=True,
        bookable=True,
        min_real_name_level=1,
        form_schema=FORM,
        charged=False,
        fee_basis="",
        fees=[],
    )
    item = catalog.item_create(
        basic_item=basic, department=officer.department, level="4", content=content,
        materials=MATERIALS, steps=STEPS,
    )  # fmt: skip
    catalog.item_publish(item=item)
    item.refresh_from_db()
    return item


def submitted_case(
    citizen: Person, matter: ImplementationItem, *, key: str | None = None, **changes: Any
) -> Case:
    draft = services.case_draft_save(
        user=citizen.user, item=matter, form_data={**FORM_DATA, **changes}
    )
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=citizen.user, upload=upload)
    return services.case_submit(case=draft, user=citizen.user, idempotency_key=key).case


def accepted_case(citizen: Person, matter: ImplementationItem, officer: Staff, **kw: Any) -> Case:
    case = submitted_case(citizen, matter)
    return services.case_accept(case=case, officer=officer, opinion="材料齐全", **kw)


@pytest.fixture
def case(citizen: Person, matter: ImplementationItem) -> Case:
    """A submitted case (待受理) of 张三."""
    return submitted_case(citizen, matter)


@pytest.fixture
def accepted(case: Case, officer: Staff) -> Case:
    """The same case, accepted: the 审核 step waits for a reviewer."""
    return services.case_accept(case=case, officer=officer, opinion="材料齐全")


def ask_correction(case: Case, officer: Staff) -> None:
    services.case_correction_request(
        case=case,
        officer=officer,
        missing=[Missing(name="经营场所平面图", problem="未标注面积", material_seq=2)],
    )


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
