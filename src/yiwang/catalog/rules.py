"""Pure catalog rules: the codes (基本编码, 实施编码, material codes) and the data-quality rules
checked before an implementation item's version is published (REFERENCE §1)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pypinyin import Style, lazy_pinyin

from yiwang.catalog.codes import CaseKind, ExerciseLevel, OnlineDepth, TimeUnit
from yiwang.core.identifiers import IdentifierError, check_uscc

BASIC_CODE_RE = re.compile(r"^[0-9A-Z]{12}$")
# The shape of a 31-character implementation code, for looking one up (not a full check).
ITEM_CODE_RE = re.compile(r"^[0-9A-Z]{31}$")


class CodeError(ValueError):
    """A malformed matter code; the message says in Chinese what is wrong."""


def check_basic_code(value: str) -> str:
    code = value.strip().upper()
    if not BASIC_CODE_RE.match(code):
        raise CodeError(f"基本编码应为12位数字或大写字母，当前为“{value.strip()}”")
    return code


def implementation_code(*, uscc: str, level: str, basic_code: str) -> str:
    """实施编码 = the implementing body's USCC (18) + level of exercise (1) + basic code (12)."""
    try:
        uscc = check_uscc(uscc)
    except IdentifierError as exc:
        raise CodeError(f"实施主体的统一社会信用代码有误：{exc}") from exc
    if level not in ExerciseLevel.values:
        raise CodeError(f"行使层级“{level}”不在代码表中（1-7）")
    return f"{uscc}{level}{check_basic_code(basic_code)}"


def check_implementation_code(value: str) -> str:
    """Check a 31-character implementation code part by part; return it normalized."""
    code = value.strip().upper()
    if len(code) != 31:
        raise CodeError(f"实施编码应为31位，当前为{len(code)}位")
    return implementation_code(uscc=code[:18], level=code[18], basic_code=code[19:])


def material_code(*, implementation: str, seq: int) -> str:
    if not 1 <= seq <= 999:
        raise CodeError("材料序号应在1至999之间")
    return f"{implementation}{seq:03d}"


# --- Data-quality rules ---------------------------------------------------------------------


class VersionContent(Protocol):
    """What the quality rules read (an `ItemVersion`, or anything shaped like it)."""

    case_kind: str
    legal_limit: int
    legal_limit_unit: str
    promised_limit: int
    promised_limit_unit: str
    charged: bool
    fee_basis: str
    fees: list[dict[str, Any]]
    online_depth: str
    visits: int
    visits_reason: str
    consult_phone: str
    complaint_phone: str
    service_objects: list[str]
    handling_forms: list[str]
    name: str
    form_schema: Any


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def quality_problems(version: VersionContent, *, step_count: int) -> list[Problem]:
    """Every rule a version breaks, explained, so it can be fixed before publishing."""
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(field, message))

    if not version.name.strip():
        add("name", "事项名称不能为空")
    if version.online_depth == OnlineDepth.FULLY_ONLINE and version.visits != 0:
        add("visits", "全程网办（Ⅳ级）事项到办事现场次数应为0")
    if version.visits > 0 and not version.visits_reason.strip():
        add("visits_reason", "到办事现场次数不为0时，须说明到现场的原因")
    if version.charged and not version.fee_basis.strip():
        add("fee_basis", "收费事项须填写收费依据")
    if version.charged and not version.fees:
        add("fees", "收费事项须列出收费项目")
    if not version.consult_phone.strip():
        add("consult_phone", "须填写咨询电话")
    if not version.complaint_phone.strip():
        add("complaint_phone", "须填写监督投诉电话")
    if (
        version.consult_phone.strip()
        and version.consult_phone.strip() == version.complaint_phone.strip()
    ):
        add("complaint_phone", "咨询电话与监督投诉电话不能相同")
    same_unit = version.promised_limit_unit == version.legal_limit_unit
    if same_unit and version.promised_limit > version.legal_limit:
        add("promised_limit", "承诺办结时限不能超过法定办结时限")
    if version.case_kind == CaseKind.INSTANT and version.promised_limit != 0:
        add("promised_limit", "即办件的承诺办结时限应为0（当场办结）")
    if version.case_kind == CaseKind.PROMISED and version.promised_limit == 0:
        add("promised_limit", "承诺件的承诺办结时限应大于0")
    if not version.service_objects:
        add("service_objects", "须选择服务对象")
    if not version.handling_forms:
        add("handling_forms", "须选择办理形式")
    if version.case_kind == CaseKind.PROMISED and step_count == 0:
        add("steps", "承诺件须配置办理环节")
    for message in form_schema_problems(version.form_schema):
        add("form_schema", message)
    return problems


def limit_reduction(*, legal: int, promised: int, legal_unit: str, promised_unit: str) -> int:
    """How many percent the promised limit cuts from the legal one (0 when not comparable)."""
    if legal <= 0 or legal_unit != promised_unit or promised > legal:
        return 0
    return round((legal - promised) * 100 / legal)


def limit_text(days: int, unit: str) -> str:
    if days == 0:
        return "即办"
    return f"{days}个{TimeUnit(unit).label}"


# --- Search text ----------------------------------------------------------------------------


def search_text(*parts: str, extra: Iterable[str] = ()) -> str:
    """What a search matches: the words themselves, plus pinyin initials and full pinyin of the
    name (so "hz" and "huzhao" find 护照), lower-cased, one space between pieces."""
    words = [p.strip() for p in (*parts, *extra) if p and p.strip()]
    name = words[0] if words else ""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    full = "".join(lazy_pinyin(name, errors="ignore"))
    return " ".join([*words, initials, full]).lower()


def theme_key(audience: str, theme: str) -> str:
    """The piece of `theme_keys` one theme writes: `p:` for persons, `e:` for enterprises."""
    return f"{audience[0]}:{theme}|"


def theme_keys(*, person: Iterable[str], enterprise: Iterable[str]) -> str:
    keys = [theme_key("person", t) for t in person] + [
        theme_key("enterprise", t) for t in enterprise
    ]
    return "".join(keys)


# --- The application form ---------------------------------------------------------------------
# An item's form is a list of fields: {"name", "label", "type", "required", "options", "max_length",
# "fill_from"}. `fill_from` names what the platform fills in from the applicant's identity.

FORM_FIELD_TYPES = {
    "text": "单行文本",
    "textarea": "多行文本",
    "number": "数字",
    "date": "日期",
    "select": "单选",
    "phone": "手机号码",
    "resident_id": "身份证号码",
    "uscc": "统一社会信用代码",
    "address": "地址",
}
FORM_FILL_SOURCES = {
    "": "申请人填写",
    "person.name": "申请人姓名",
    "person.resident_id": "申请人身份证号码",
    "person.phone": "申请人手机号码",
    "enterprise.name": "单位名称",
    "enterprise.uscc": "统一社会信用代码",
    "enterprise.legal_representative": "法定代表人",
}
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def form_schema_problems(schema: Any) -> list[str]:
    """Everything wrong with an application form definition, in Chinese (empty when valid)."""
    if not isinstance(schema, list):
        return ["申请表单应为字段列表"]
    problems: list[str] = []
    names: set[str] = set()
    for index, field in enumerate(schema, start=1):
        where = f"第 {index} 个字段"
        if not isinstance(field, dict):
            problems.append(f"{where}格式不正确")
            continue
        name, label, kind = field.get("name", ""), field.get("label", ""), field.get("type", "")
        if not isinstance(name, str) or not FIELD_NAME_RE.match(name):
            problems.append(f"{where}的标识“{name}”应为小写英文字母开头的字母、数字或下划线")
        elif name in names:
            problems.append(f"{where}的标识“{name}”重复")
        names.add(str(name))
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{where}缺少显示名称")
        if kind not in FORM_FIELD_TYPES:
            problems.append(f"{where}的类型“{kind}”无效")
        options = field.get("options", [])
        if kind == "select" and (not isinstance(options, list) or not options):
            problems.append(f"{where}为单选，须列出选项")
        if field.get("fill_from", "") not in FORM_FILL_SOURCES:
            problems.append(f"{where}的自动填充来源“{field.get('fill_from')}”无效")
        max_length = field.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or max_length <= 0):
            problems.append(f"{where}的最大长度应为正整数")
    return problems
