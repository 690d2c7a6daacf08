"""Matter codes and the data-quality rules."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from yiwang.catalog.rules import (
    CodeError,
    check_basic_code,
    check_implementation_code,
    form_schema_problems,
    implementation_code,
    limit_reduction,
    material_code,
    quality_problems,
    search_text,
)
from yiwang.catalog.tests.conftest import valid_content

BASIC = "000104002000"


@pytest.fixture
def uscc() -> str:
    from yiwang.core.identifiers import organization_code_check_char, uscc_complete

    return uscc_complete("11621000" + "01393857" + organization_code_check_char("01393857"))


def test_implementation_code_is_uscc_level_and_basic_code(uscc: str) -> None:
    code = implementation_code(uscc=uscc, level="3", basic_code=BASIC.lower())
    assert code == f"{uscc}3{BASIC}"
    assert len(code) == 31
    assert check_implementation_code(f" {code.lower()} ") == code
    assert material_code(implementation=code, seq=7) == code + "007"
    assert len(material_code(implementation=code, seq=7)) == 34


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c[:30], "应为31位，当前为30位"),
        (lambda c: c[:18] + "8" + c[19:], "行使层级“8”"),
        (lambda c: c[:17] + ("0" if c[17] != "0" else "1") + c[18:], "统一社会信用代码有误"),
        (lambda c: c[:19] + "0001-4002000", "基本编码应为12位"),
    ],
)
def test_bad_implementation_codes_say_what_is_wrong(uscc: str, change: Any, message: str) -> None:
    code = implementation_code(uscc=uscc, level="3", basic_code=BASIC)
    with pytest.raises(CodeError, match=message):
        check_implementation_code(change(code))


def test_basic_code_and_material_seq_bounds() -> None:
    assert check_basic_code(" 62a104002000 ") == "62A104002000"
    with pytest.raises(CodeError):
        check_basic_code("12345")
    with pytest.raises(CodeError):
        material_code(implementation="x" * 31, seq=1000)


def _version(**overrides: Any) -> SimpleNamespace:
    content = {
        "form_schema": [],
        "legal_limit_unit": "workday",
        "promised_limit_unit": "workday",
        "fees": [],
        **valid_content(),
        **overrides,
    }
    return SimpleNamespace(**content)


def test_a_valid_version_has_no_problems() -> None:
    assert quality_problems(_version(), step_count=3) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"online_depth": "4", "visits": 1}, "visits", "全程网办（Ⅳ级）事项到办事现场次数应为0"),
        ({"visits": 2, "visits_reason": ""}, "visits_reason", "须说明到现场的原因"),
        ({"charged": True, "fee_basis": ""}, "fee_basis", "收费事项须填写收费依据"),
        ({"charged": True, "fees": []}, "fees", "须列出收费项目"),
        ({"promised_limit": 20, "legal_limit": 15}, "promised_limit", "不能超过法定办结时限"),
        ({"consult_phone": "12345"}, "complaint_phone", "不能相同"),
        ({"complaint_phone": ""}, "complaint_phone", "须填写监督投诉电话"),
        ({"case_kind": "1", "promised_limit": 3}, "promised_limit", "即办件"),
        ({"service_objects": []}, "service_objects", "服务对象"),
        ({"handling_forms": []}, "handling_forms", "办理形式"),
    ],
)
def test_each_rule_explains_itself(overrides: dict[str, Any], field: str, message: str) -> None:
    problems = quality_problems(_version(**overrides), step_count=3)  # type: ignore[arg-type]
    assert [(p.field, p.message) for p in problems if p.field == field]
    assert any(message in p.message for p in problems)


def test_promised_matter_needs_steps() -> None:
    problems = quality_problems(_version(), step_count=0)  # type: ignore[arg-type]
    assert [p.field for p in problems] == ["steps"]


def test_limit_reduction_and_search_text() -> None:
    assert (
        limit_reduction(legal=20, promised=5, legal_unit="workday", promised_unit="workday") == 75
    )
    assert limit_reduction(legal=20, promised=5, legal_unit="workday", promised_unit="day") == 0
    text = search_text("普通护照签发", extra=["出境入境"])
    assert "普通护照签发" in text and "出境入境" in text
    assert "pthzqf" in text and "putonghuzhaoqianfa" in text


PASSPORT_FORM = [
    {"name": "applicant", "label": "申请人姓名", "type": "text", "required": True,
     "fill_from": "person.name"},
    {"name": "id_number", "label": "身份证号码", "type": "resident_id", "required": True,
     "fill_from": "person.resident_id"},
    {"name": "reason", "label": "出境事由", "type": "select", "required": True,
     "options": ["旅游", "探亲", "商务", "学习"]},
    {"name": "note", "label": "备注", "type": "textarea", "max_length": 200},
]  # fmt: skip


def test_a_valid_application_form_passes() -> None:
    assert form_schema_problems(PASSPORT_FORM) == []
    assert quality_problems(_version(form_schema=PASSPORT_FORM), step_count=3) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": "Bad Name", "label": "x", "type": "text"}, "标识“Bad Name”"),
        ({"name": "x", "label": "", "type": "text"}, "缺少显示名称"),
        ({"name": "x", "label": "x", "type": "colour"}, "类型“colour”无效"),
        ({"name": "x", "label": "x", "type": "select"}, "须列出选项"),
        ({"name": "x", "label": "x", "type": "text", "fill_from": "person.salary"}, "自动填充来源"),
        ({"name": "x", "label": "x", "type": "text", "max_length": -1}, "最大长度"),
        ({"name": "applicant", "label": "重复", "type": "text"}, "重复"),
    ],
)
def test_bad_form_fields_are_explained(field: dict[str, Any], message: str) -> None:
    problems = form_schema_problems([PASSPORT_FORM[0], field])
    assert any(message in p for p in problems), problems
    version = _version(form_schema=[PASSPORT_FORM[0], field])
    assert [p.field for p in quality_problems(version, step_count=3)] == ["form_schema"]  # type: ignore[arg-type]
    assert form_schema_problems("not a list") == ["申请表单应为字段列表"]
