"""Writing workbooks: the empty template and the export of the catalog, in the same layout, so
that an export can be edited and imported back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from yiwang.catalog.codes import ENTERPRISE_THEMES, PERSON_THEMES
from yiwang.catalog.excel.columns import (
    BASIC_SHEET,
    COLUMNS,
    ITEM_COLUMNS,
    ITEM_SHEET,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    NOTES_SHEET,
    SHEETS,
    Column,
)
from yiwang.catalog.models import BasicItem, ImplementationItem, ItemVersion, VersionState

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TEXT_FORMAT = "@"
KEY_COLUMNS = frozenset(
    {"code", "item_code", "uscc", "level", "basic_code", "seq", "material_code", "steps"}
)
BLANK_ROWS = 200  # rows below the data formatted as text, so that Excel keeps leading zeros

NOTES_RULES = (
    "第1行是列名，请勿修改；从第2行起每行一条记录，空行会被跳过。列的先后顺序可以调整。",
    "橙色列名的列必须填写；“实施编码”“材料编码”由导出填写，导入时可以不填。",
    "代码列（基本编码、事项类型代码、统一社会信用代码等）请按文本填写，以免 Excel 去掉开头的0。",
    "同一文件中的数据要么全部导入，要么（有任何一处错误时）全部不导入；错误会逐行列出。",
    "重复导入同一文件不会产生任何变化；内容有变化的已发布事项会生成新的草稿（选择发布时直接发布）。",
    "某事项在“申请材料”中有任何一行时，该事项的材料以文件为准（文件中没有的序号将被删除）；"
    "没有任何一行时，材料保持不变。",
    "“环节”一格写明该事项的全部办理环节；留空表示没有环节（承诺件发布时须有环节）。",
)


def template_workbook() -> bytes:
    """The empty template: the three sheets with their header rows, and the notes sheet."""
    return _save(_workbook({name: [] for name in SHEETS}))


def export_workbook(*, queryset: QuerySet[ImplementationItem] | None = None) -> bytes:
    """The catalog in the template's layout: each implementation item's current version, or its
    draft when it was never published. `queryset` narrows the items; the basic items exported are
    then those the items belong to (with their main items), otherwise every active one."""
    items = list(
        (queryset if queryset is not None else ImplementationItem.objects.all())
        .select_related("basic_item", "department", "current_version")
        .order_by("code")
    )
    unpublished = [item.pk for item in items if item.current_version_id is None]
    drafts = {
        draft.item_id: draft
        for draft in ItemVersion.objects.filter(item__in=unpublished, state=VersionState.DRAFT)
    }
    exported = [
        (item, version)
        for item in items
        if (version := item.current_version or drafts.get(item.pk)) is not None
    ]
    prefetch_related_objects([version for _, version in exported], "materials", "steps")
    basics = _basic_items(None if queryset is None else {item.basic_item_id for item in items})
    rows = {
        BASIC_SHEET: [_basic_row(basic) for basic in basics],
        ITEM_SHEET: [_item_row(item, version) for item, version in exported],
        MATERIAL_SHEET: [
            {
                **_key(item),
                "seq": m.seq,
                "material_code": f"{item.code}{m.seq:03d}",
                **_fields(m, MATERIAL_COLUMNS),
            }
            for item, version in exported
            for m in version.materials.all()
        ],
    }
    return _save(_workbook(rows))


# --- Rows -----------------------------------------------------------------------------------------


def _basic_items(ids: set[int] | None) -> list[BasicItem]:
    """Every active basic item, or those with these ids and their main items (so that the file
    can be imported on its own)."""
    found: dict[int, BasicItem] = {}
    query = BasicItem.objects.select_related("parent")
    if ids is None:
        return list(query.filter(is_active=True).order_by("code"))
    while ids:
        batch = list(query.filter(pk__in=ids))
        found.update((basic.pk, basic) for basic in batch)
        ids = {b.parent_id for b in batch if b.parent_id is not None and b.parent_id not in found}
    return sorted(found.values(), key=lambda basic: basic.code)


def _basic_row(basic: BasicItem) -> dict[str, Any]:
    return {
        "code": basic.code,
        "name": basic.name,
        "matter_type": basic.matter_type,
        "level": basic.level,
        "legal_basis": basic.legal_basis,
        "parent_code": basic.parent.code if basic.parent else "",
        "source": basic.source,
    }


def _key(item: ImplementationItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "item_code": item.code,
        "uscc": item.department.uscc,
        "level": item.level,
        "basic_code": item.basic_item.code,
    }


def _item_row(item: ImplementationItem, version: ItemVersion) -> dict[str, Any]:
    steps = [{"name": s.name, "role": s.role, "limit": s.limit} for s in version.steps.all()]
    return {**_key(item), **_fields(version, ITEM_COLUMNS), "steps": steps}


def _fields(obj: Any, columns: Sequence[Column]) -> dict[str, Any]:
    """The stored values of the columns that are fields of `obj` (not keys or children)."""
    return {c.key: getattr(obj, c.key) for c in columns if c.key not in KEY_COLUMNS}


# --- Workbook -------------------------------------------------------------------------------------


def _workbook(rows: dict[str, list[dict[str, Any]]]) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in SHEETS:
        _data_sheet(workbook.create_sheet(name), COLUMNS[name], rows[name])
    _notes_sheet(workbook.create_sheet(NOTES_SHEET))
    workbook.active = 0
    return workbook


def _data_sheet(sheet: Worksheet, columns: Sequence[Column], rows: list[dict[str, Any]]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        note = f"{column.meaning}\n可填：{column.allowed}"
        if column.example:
            note += f"\n示例：{column.example}"
        cell.comment = Comment(note, "一网通办", width=320, height=160)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            choices = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            choices.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(choices)
    for number, values in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = values.get(column.key)
            _write(sheet, number, index, column, None if value is None else column.show(value))
    for number in range(len(rows) + 2, len(rows) + 2 + BLANK_ROWS):
        for index, column in enumerate(columns, start=1):
            if not column.number:
                sheet.cell(row=number, column=index).number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"


def _write(sheet: Worksheet, row: int, col: int, column: Column, value: Any) -> None:
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # stored text, never a formula
    if not column.number:
        cell.number_format = TEXT_FORMAT


def _notes_sheet(sheet: Worksheet) -> None:
    headers = ("工作表", "列名", "必填", "含义", "可填值", "示例")
    widths = (12, 24, 8, 50, 60, 40)
    for index, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    lines: list[Iterable[Any]] = [
        (name, c.header, "是" if c.required else "", c.meaning, c.allowed, c.example)
        for name in SHEETS
        for c in COLUMNS[name]
    ]
    lines.append(())
    lines.extend(("填写规则", "", "", rule) for rule in NOTES_RULES)
    lines.append(())
    lines.append(("自然人主题", "", "", "、".join(PERSON_THEMES)))
    lines.append(("法人主题", "", "", "、".join(ENTERPRISE_THEMES)))
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, line in enumerate(lines, start=2):
        for index, value in enumerate(line, start=1):
            cell = sheet.cell(row=number, column=index, value=value)
            cell.alignment = wrap
            cell.number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"


def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
