"""The columns of the Excel template, one spec each: how a cell is read, how a stored value is
written, and what the notes sheet and `docs/catalog.md` say about it.

A cell reaches a parser as stripped text (`cell_text`); a blank cell takes the column's `blank`
value, or is refused when the column is `required`. Parsers raise `CellError` with a Chinese
message; they never touch the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from yiwang.accounts.models import RealNameLevel, Role
from yiwang.catalog.codes import (
    ENTERPRISE_THEMES,
    PERSON_THEMES,
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    ItemSource,
    MatterType,
    OnlineDepth,
    Reach,
    ServiceObject,
    TimeUnit,
)
from yiwang.catalog.models import BasicItem, ItemVersion, Material
from yiwang.catalog.rules import CodeError, check_basic_code
from yiwang.core.identifiers import IdentifierError, check_uscc

BASIC_SHEET = "基本目录"
ITEM_SHEET = "实施清单"
MATERIAL_SHEET = "申请材料"
NOTES_SHEET = "填写说明"
SHEETS = (BASIC_SHEET, ITEM_SHEET, MATERIAL_SHEET)

YES, NO = "是", "否"
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
ENTRY_SEPARATORS = re.compile(r"[;；\n]+")
PART_SEPARATOR = re.compile(r"[:：]")
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")

# The roles a handling step may be given to (the case workflow's officers).
STEP_ROLES = (Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER)


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: numbers without a spurious ".0", 是/否 for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


# --- Parsers ------------------------------------------------------------------------------------

Parser = Callable[[str], Any]
Shower = Callable[[Any], Any]


def _text(max_length: int | None) -> Parser:
    def parse(text: str) -> str:
        if max_length is not None and len(text) > max_length:
            raise CellError(f"不能超过{max_length}个字，当前为{len(text)}个字")
        return text

    return parse


def _choices_hint(choices: type[models.TextChoices]) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices if value)


def _choice_lookup(choices: type[models.TextChoices], text: str) -> str:
    for value, label in choices.choices:
        if text in (value, label):
            return str(value)
    raise CellError(f"“{text}”不在代码表中；可填 {_choices_hint(choices)}")


def _choice(choices: type[models.TextChoices]) -> Parser:
    return lambda text: _choice_lookup(choices, text)


def _codes(choices: type[models.TextChoices]) -> Parser:
    def parse(text: str) -> list[str]:
        codes: list[str] = []
        for part in LIST_SEPARATORS.split(text):
            if part:
                code = _choice_lookup(choices, part)
                if code not in codes:
                    codes.append(code)
        return codes

    return parse


def _themes(allowed: Sequence[str]) -> Parser:
    def parse(text: str) -> list[str]:
        themes: list[str] = []
        for part in LIST_SEPARATORS.split(text):
            if not part:
                continue
            if part not in allowed:
                raise CellError(f"主题“{part}”不在主题表中（见“{NOTES_SHEET}”工作表）")
            if part not in themes:
                themes.append(part)
        return themes

    return parse


def _integer(minimum: int, maximum: int) -> Parser:
    def parse(text: str) -> int:
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(f"应为整数，当前为“{text}”")
        number = int(text)
        if not minimum <= number <= maximum:
            raise CellError(f"应在{minimum}至{maximum}之间，当前为{number}")
        return number

    return parse


def _yes_no(text: str) -> bool:
    if text == YES:
        return True
    if text == NO:
        return False
    raise CellError(f"应填“{YES}”或“{NO}”，当前为“{text}”")


def _basic_code(text: str) -> str:
    try:
        return check_basic_code(text)
    except CodeError as exc:
        raise CellError(str(exc)) from exc


def _uscc(text: str) -> str:
    try:
        return check_uscc(text)
    except IdentifierError as exc:
        raise CellError(exc.message) from exc


def _upper(text: str) -> str:
    return text.upper()


def _url(text: str) -> str:
    if len(text) > 200:
        raise CellError(f"网址不能超过200个字符，当前为{len(text)}个")
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError as exc:
        raise CellError(f"“{text}”不是有效的网址（应以 http:// 或 https:// 开头）") from exc
    return text


def _steps(text: str) -> list[dict[str, Any]]:
    """`受理:window_officer:1；审核:reviewer:3` (the limit in working days may be left out: 1)."""
    roles = {str(role.value): str(role.value) for role in STEP_ROLES}
    roles.update({str(role.label): str(role.value) for role in STEP_ROLES})
    steps: list[dict[str, Any]] = []
    for index, entry in enumerate((e.strip() for e in ENTRY_SEPARATORS.split(text)), start=1):
        if not entry:
            continue
        parts = [p.strip() for p in PART_SEPARATOR.split(entry)]
        if len(parts) not in (2, 3) or not parts[0]:
            raise CellError(f"第{index}个环节“{entry}”应写作“环节名称:角色:时限”")
        if len(parts[0]) > 100:
            raise CellError(f"第{index}个环节的名称不能超过100个字")
        if parts[1] not in roles:
            hint = "、".join(f"{r.value}（{r.label}）" for r in STEP_ROLES)
            raise CellError(f"第{index}个环节的角色“{parts[1]}”不存在；可填 {hint}")
        limit = parts[2] if len(parts) == 3 else "1"
        if not limit.isdigit() or int(limit) > 999:
            raise CellError(f"第{index}个环节的时限“{limit}”应为0至999的整数（工作日）")
        steps.append({"name": parts[0], "role": roles[parts[1]], "limit": int(limit)})
    return steps


def _show_steps(steps: list[dict[str, Any]]) -> str:
    return "；".join(f"{s['name']}:{s['role']}:{s['limit']}" for s in steps)


def _fees(text: str) -> list[dict[str, str]]:
    """`护照签发:120.00:发改价格规〔2019〕914号；…` (the basis may be left out)."""
    fees: list[dict[str, str]] = []
    for index, entry in enumerate((e.strip() for e in ENTRY_SEPARATORS.split(text)), start=1):
        if not entry:
            continue
        parts = [p.strip() for p in PART_SEPARATOR.split(entry, maxsplit=2)]
        if len(parts) < 2 or not parts[0]:
            raise CellError(f"第{index}个收费项目“{entry}”应写作“项目名称:金额:依据”")
        try:
            valid_amount = AMOUNT_RE.match(parts[1]) and Decimal(parts[1]) >= 0
        except InvalidOperation:
            valid_amount = False
        if not valid_amount:
            raise CellError(f"第{index}个收费项目的金额“{parts[1]}”应为数字（元，最多两位小数）")
        fees.append({"name": parts[0], "amount": parts[1], "basis": parts[2] if parts[2:] else ""})
    return fees


def fee_key(fees: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Fees compared by what the template shows (stored rows may lack a key)."""
    return [
        (str(f.get("name", "")), str(f.get("amount", "")), str(f.get("basis", ""))) for f in fees
    ]


def _show_fees(fees: list[dict[str, Any]]) -> str:
    return "；".join(":".join(p for p in (n, a, b) if p) for n, a, b in fee_key(fees))


def _show_list(values: list[str]) -> str:
    return "、".join(values)


def _show_bool(value: bool) -> str:
    return YES if value else NO


def _show_label(choices: type[models.TextChoices]) -> Shower:
    return lambda value: choices(value).label if value in choices.values else value


def _show_same(value: Any) -> Any:
    return value


# --- Columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    meaning: str
    allowed: str
    example: str
    parse: Parser = field(default=_text(None))
    show: Shower = field(default=_show_same)
    required: bool = False  # the cell must be filled
    blank: Any = ""  # the value of a blank cell (copied for lists)
    optional: bool = False  # the column itself may be left out of the sheet
    pad: int = 0  # a numeric cell is zero-padded to this width (Excel drops leading zeros)
    choices: tuple[str, ...] = ()  # a drop-down list in the template
    number: bool = False  # written as a number; otherwise the cell is formatted as text
    width: int = 14

    def blank_value(self) -> Any:
        return list(self.blank) if isinstance(self.blank, list) else self.blank


def _max_length(model: type[models.Model], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _text_column(
    header: str, key: str, meaning: str, example: str, *, model: type[models.Model] = ItemVersion,
    width: int = 20, required: bool = False,
) -> Column:  # fmt: skip
    limit = _max_length(model, key)
    allowed = f"文字，不超过{limit}字" if limit else "文字"
    return Column(
        header, key, meaning, allowed, example, parse=_text(limit), width=width, required=required
    )


def _choice_column(
    header: str, key: str, meaning: str, choices: type[models.TextChoices], example: str, *,
    required: bool = False, blank: str = "", label: bool = False, pad: int = 0,
) -> Column:  # fmt: skip
    """A single code. `label`: the export writes the Chinese label (for lists whose codes are
    English words); either the code or the label is accepted on import."""
    values = [str(label_ if label else value) for value, label_ in choices.choices if value]
    shown = "、".join(values) if label else _choices_hint(choices)
    default = f"；不填为“{_show_label(choices)(blank) if label else blank}”" if blank else ""
    if "" in choices.values:
        default = f"；不填为“{choices('').label}”"
    allowed = f"{shown}{default}" + ("" if label else "（填代码或名称均可）")
    return Column(
        header, key, meaning, allowed, example, parse=_choice(choices),
        show=_show_label(choices) if label else _show_same, required=required, blank=blank,
        pad=pad, choices=tuple(values), width=12,
    )  # fmt: skip


def _yes_no_column(header: str, key: str, meaning: str, *, blank: bool = False) -> Column:
    return Column(
        header, key, meaning, f"{YES} 或 {NO}；不填为“{_show_bool(blank)}”", YES,
        parse=_yes_no, show=_show_bool, blank=blank, choices=(YES, NO), width=10,
    )  # fmt: skip


def _int_column(
    header: str, key: str, meaning: str, example: str, *, minimum: int = 0, maximum: int = 9999,
    required: bool = False, blank: int = 0,
) -> Column:  # fmt: skip
    allowed = f"{minimum}至{maximum}的整数" + ("" if required else f"；不填为{blank}")
    return Column(
        header, key, meaning, allowed, example, parse=_integer(minimum, maximum),
        required=required, blank=blank, number=True, width=10,
    )  # fmt: skip


def _codes_column(
    header: str, key: str, meaning: str, choices: type[models.TextChoices], example: str
) -> Column:
    allowed = f"{_choices_hint(choices)}；多个代码用“、”或“,”分隔"
    return Column(
        header, key, meaning, allowed, example, parse=_codes(choices), show=_show_list, blank=[]
    )


def _themes_column(header: str, key: str, themes: Sequence[str], example: str) -> Column:
    allowed = f"主题名称，多个用“、”分隔；可填的主题见“{NOTES_SHEET}”工作表末尾"
    return Column(
        header, key, f"办事指南中按{header[:-2]}生命周期归类的主题", allowed, example,
        parse=_themes(themes), show=_show_list, blank=[], width=20,
    )  # fmt: skip


USCC_EXAMPLE = "11621000555196182J"  # a demo code (regions.demo), structurally valid
BASIC_EXAMPLE = "000104002000"

BASIC_COLUMNS: tuple[Column, ...] = (
    Column(
        "基本编码", "code", "基本目录事项的12位编码（省级事项带本省前缀）",
        "12位数字或大写字母", BASIC_EXAMPLE, parse=_basic_code, required=True, pad=12,
    ),
    _text_column(
        "事项名称", "name", "基本目录中的事项名称", "普通护照签发", model=BasicItem,
        width=30, required=True,
    ),
    _choice_column(
        "事项类型代码", "matter_type", "事项类型（GB/T 39046）", MatterType, "01",
        required=True, pad=2,
    ),
    _choice_column("行使层级", "level", "事项的行使层级", ExerciseLevel, "3", required=True),
    _text_column(
        "设定依据", "legal_basis", "法律、法规等设定依据", "《中华人民共和国护照法》第五条",
        model=BasicItem, width=30,
    ),
    Column(
        "主项编码", "parent_code", "子项所属主项的基本编码；主项可在本文件中，也可已在系统中",
        "12位基本编码；不是子项则不填", "", parse=_basic_code, pad=12,
    ),
    _choice_column(
        "来源", "source", "事项来自国家、省级目录还是本地新增", ItemSource, "本地",
        blank=ItemSource.LOCAL, label=True,
    ),
)  # fmt: skip

ITEM_COLUMNS: tuple[Column, ...] = (
    Column(
        "实施编码", "code", "31位实施编码＝统一社会信用代码＋行使层级＋基本编码；导出时填写，"
        "导入时可不填，填写时须与后三列一致", "31位；可不填", f"{USCC_EXAMPLE}3{BASIC_EXAMPLE}",
        parse=_upper, optional=True, width=36,
    ),
    Column(
        "实施主体统一社会信用代码", "uscc", "实施部门的18位统一社会信用代码，须是系统中已有的部门",
        "18位统一社会信用代码", USCC_EXAMPLE, parse=_uscc, required=True, width=22,
    ),
    _choice_column("行使层级", "level", "本实施清单的行使层级", ExerciseLevel, "3", required=True),
    Column(
        "基本编码", "basic_code", "所属基本目录事项；须在“基本目录”工作表或系统中已有",
        "12位基本编码", BASIC_EXAMPLE, parse=_basic_code, required=True, pad=12,
    ),
    Column(
        "事项名称", "name", "实施清单中的事项名称", "文字，不超过200字；不填则用基本目录的名称",
        "普通护照签发", parse=_text(200), width=30,
    ),
    _choice_column("办件类型", "case_kind", "即办件或承诺件", CaseKind, "2", required=True),
    _int_column("法定时限", "legal_limit", "法定办结时限（天数）", "15", required=True),
    _choice_column(
        "法定时限单位", "legal_limit_unit", "法定时限按工作日还是自然日计", TimeUnit, "工作日",
        blank=TimeUnit.WORKING_DAY, label=True,
    ),
    _text_column("法定时限说明", "legal_limit_note", "法定时限的补充说明", ""),
    _int_column(
        "承诺时限", "promised_limit", "承诺办结时限（天数），不能超过法定时限；即办件填0", "7",
        required=True,
    ),
    _choice_column(
        "承诺时限单位", "promised_limit_unit", "承诺时限按工作日还是自然日计", TimeUnit, "工作日",
        blank=TimeUnit.WORKING_DAY, label=True,
    ),
    _text_column("承诺时限说明", "promised_limit_note", "承诺时限的补充说明", ""),
    _text_column(
        "受理条件", "acceptance_conditions", "申请人应具备的条件", "申请人为中国公民", width=30
    ),
    _yes_no_column("是否收费", "charged", "办理本事项是否收费"),
    _text_column("收费依据", "fee_basis", "收费的法律或文件依据；收费事项必填", "", width=30),
    Column(
        "收费项目", "fees", "收费项目；收费事项发布时必填",
        "每项写作“项目名称:金额:依据”（依据可省略，金额单位为元），多项用“；”分隔",
        "护照签发:120.00:发改价格规〔2019〕914号", parse=_fees, show=_show_fees, blank=[],
        width=30,
    ),
    _codes_column("服务对象", "service_objects", "可申请本事项的对象；发布时必填", ServiceObject,
                  "1、2"),
    _codes_column("办理形式", "handling_forms", "可用的办理渠道；发布时必填", HandlingForm, "1、2"),
    _choice_column(
        "网上办理深度", "online_depth", "网上办理深度（四级）", OnlineDepth, "2",
        blank=OnlineDepth.PUBLIC,
    ),
    _yes_no_column("是否网办", "online", "是否可以网上办理"),
    Column(
        "网办地址", "online_url", "网上办理的网址", "以 http:// 或 https:// 开头的网址",
        "https://zwfw.example.gov.cn/item/1", parse=_url, width=30,
    ),
    _int_column(
        "网上申请所需实名等级", "min_real_name_level", "网上申请人须达到的实名等级："
        + "；".join(str(label) for label in RealNameLevel.labels), "2", minimum=1, maximum=3,
        blank=RealNameLevel.VERIFIED,
    ),
    _int_column(
        "到现场次数", "visits", "办事人须到办事现场的次数；全程网办（Ⅳ级）须为0", "1", maximum=99
    ),
    _text_column("到现场原因", "visits_reason", "到现场次数不为0时须说明原因", "采集指纹和人像"),
    _text_column("办理地点", "place", "办理地点", "庆阳市政务服务中心出入境窗口", width=30),
    _text_column("办理时间", "hours", "办理时间", "工作日 9:00-12:00，14:30-18:00", width=24),
    _text_column("咨询电话", "consult_phone", "咨询电话；发布时必填", "0934-8221234"),
    _text_column(
        "投诉电话", "complaint_phone", "监督投诉电话；发布时必填，且不能与咨询电话相同", "12345"
    ),
    _yes_no_column("是否支持预约", "bookable", "是否支持预约办理"),
    _yes_no_column("是否支持网上支付", "payable_online", "是否支持网上支付"),
    _yes_no_column("是否支持物流快递", "deliverable", "是否支持物流快递"),
    _yes_no_column("是否支持自助终端", "kiosk", "是否可在自助终端办理"),
    _choice_column(
        "通办范围", "reach", "通办范围", Reach, "跨省通办", blank=Reach.NONE, label=True
    ),
    _themes_column("自然人主题", "person_themes", PERSON_THEMES, "出境入境、证件办理"),
    _themes_column("法人主题", "enterprise_themes", ENTERPRISE_THEMES, "设立变更"),
    _text_column("特别程序", "special_procedures", "听证、检验、检测、鉴定等特别程序", ""),
    _text_column("联办机构", "joint_bodies", "共同办理的机构", ""),
    _text_column("中介服务", "intermediary_services", "办理所需的中介服务", ""),
    _text_column("数量限制", "quantity_limit", "数量限制", ""),
    _text_column("审批结果名称", "result_name", "办理结果（证照、批文）的名称",
                 "中华人民共和国普通护照"),
    _text_column("审批结果类型", "result_type", "办理结果的类型", "证照"),
    _text_column("结果证照类型代码", "result_license_type", "结果为电子证照时的证照类型代码",
                 "11100000000013338W011"),
    Column(
        "环节", "steps", "办理流程的环节，按顺序；承诺件发布时必填",
        "每个环节写作“环节名称:角色:时限（工作日）”，多个环节用“；”分隔；角色填 "
        + "、".join(f"{r.value}（{r.label}）" for r in STEP_ROLES) + "；时限不填为1",
        "受理:window_officer:1；审核:reviewer:3；决定:approver:2", parse=_steps,
        show=_show_steps, blank=[], width=40,
    ),
)  # fmt: skip

MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "实施编码", "item_code", "材料所属实施清单的31位实施编码；可改填后三列",
        "31位实施编码；与后三列至少填一种", f"{USCC_EXAMPLE}3{BASIC_EXAMPLE}", parse=_upper,
        optional=True, width=36,
    ),
    Column(
        "统一社会信用代码", "uscc", "实施部门的统一社会信用代码（不填实施编码时必填）",
        "18位统一社会信用代码", USCC_EXAMPLE, parse=_uscc, optional=True, width=22,
    ),
    replace(
        _choice_column("行使层级", "level", "实施清单的行使层级（不填实施编码时必填）",
                       ExerciseLevel, "3"),
        optional=True,
    ),
    Column(
        "基本编码", "basic_code", "实施清单的基本编码（不填实施编码时必填）", "12位基本编码",
        BASIC_EXAMPLE, parse=_basic_code, optional=True, pad=12,
    ),
    _int_column(
        "序号", "seq", "材料在清单中的顺序；同一事项从1起连续编号", "1", minimum=1, maximum=999,
        required=True,
    ),
    _text_column("材料名称", "name", "材料名称", "居民身份证", model=Material, width=30,
                 required=True),
    _text_column("出具单位", "issuer", "出具材料的单位", "公安机关", model=Material),
    _int_column("原件份数", "originals", "须提交的原件份数", "1", maximum=99),
    _int_column("复印件份数", "copies", "须提交的复印件份数", "0", maximum=99),
    _yes_no_column("是否必要", "required", "是否必须提交", blank=True),
    _text_column("可替代证照类型", "license_type_code", "可代替本材料的电子证照类型代码",
                 "11100000000013338W001", model=Material, width=24),
    _text_column("填报说明", "note", "材料的填报说明", "", model=Material),
    Column(
        "材料编码", "material_code", "实施编码＋3位序号；导出时填写，导入时可不填，填写时须一致",
        "34位；可不填", f"{USCC_EXAMPLE}3{BASIC_EXAMPLE}001", parse=_upper, optional=True,
        width=38,
    ),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {
    BASIC_SHEET: BASIC_COLUMNS,
    ITEM_SHEET: ITEM_COLUMNS,
    MATERIAL_SHEET: MATERIAL_COLUMNS,
}

# Which column of the items sheet a quality problem (`rules.Problem.field`) points at.
ITEM_HEADERS: dict[str, str] = {c.key: c.header for c in ITEM_COLUMNS}

# The version fields the items sheet carries (everything else is left as it is).
CONTENT_KEYS: tuple[str, ...] = tuple(
    c.key for c in ITEM_COLUMNS if c.key not in {"code", "uscc", "level", "basic_code", "steps"}
)
