"""Reading a workbook into rows of parsed cells, with every problem recorded as a `RowError`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from yiwang.catalog.excel.columns import (
    COLUMNS,
    NOTES_SHEET,
    SHEETS,
    CellError,
    Column,
    cell_text,
)

NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files
MAX_ROWS = 50_000  # per sheet; a larger catalog is imported in several files


@dataclass(frozen=True)
class RowError:
    """One problem, where a catalog manager finds it: sheet, row (1 is the header), column."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f" 第{self.row}行" if self.row else "")
        column = f"“{self.column}”" if self.column else ""
        return f"{where}{column}：{self.message}" if where else self.message


class FileRefused(Exception):
    """The file as a whole cannot be read."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class SheetRow:
    number: int
    values: dict[str, Any]  # parsed cells by column key (blank cells: the column's blank value)
    present: set[str]  # keys of the cells that were not blank
    bad: bool = False  # some cell could not be read

    def missing(self, *keys: str) -> bool:
        """Whether any of these cells failed to parse (so checks built on them are skipped)."""
        return any(key not in self.values for key in keys)


@dataclass
class Sheet:
    name: str
    headers: set[str] = field(default_factory=set)
    rows: list[SheetRow] = field(default_factory=list)


def read_workbook(data: bytes, errors: list[RowError]) -> dict[str, Sheet]:
    """The template's sheets found in the file, read; raises `FileRefused` for a file that is not
    an xlsx workbook. Sheets whose header row is wrong are left out (their errors recorded)."""
    if data[:8] == OLE_SIGNATURE:
        raise FileRefused(f"{NOT_XLSX}：这是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入")
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean the same to a person
        raise FileRefused(NOT_XLSX) from exc
    try:
        names = {str(name).strip(): name for name in workbook.sheetnames}
        for name in names:
            if name not in SHEETS and name != NOTES_SHEET:
                expected = "、".join(f"“{s}”" for s in SHEETS)
                errors.append(
                    RowError(name, None, "", f"未知的工作表“{name}”；工作表名称应为 {expected}")
                )
        if not any(name in names for name in SHEETS):
            expected = "、".join(f"“{s}”" for s in SHEETS)
            errors.append(RowError("", None, "", f"工作簿中没有 {expected} 中的任何一个工作表"))
        sheets: dict[str, Sheet] = {}
        for name in SHEETS:
            if name in names:
                sheet = _read_sheet(name, workbook[names[name]].iter_rows(values_only=True), errors)
                if sheet is not None:
                    sheets[name] = sheet
        return sheets
    finally:
        workbook.close()


def _read_sheet(name: str, rows: Any, errors: list[RowError]) -> Sheet | None:
    columns = COLUMNS[name]
    header = next(rows, None) or ()
    positions = _header_positions(name, header, columns, errors)
    if positions is None:
        return None
    sheet = Sheet(name, headers=set(positions))
    present_columns = [c for c in columns if c.header in positions]
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append(
                RowError(name, None, "", f"超过{MAX_ROWS}行；请分成几个文件导入（未读取任何一行）")
            )
            return None
        raw = {
            c.header: cells[positions[c.header]] if positions[c.header] < len(cells) else None
            for c in present_columns
        }
        if all(cell_text(value) == "" for value in raw.values()):
            continue
        sheet.rows.append(_read_row(name, number, present_columns, raw, errors))
    return sheet


def _header_positions(
    name: str, header: Sequence[Any], columns: Sequence[Column], errors: list[RowError]
) -> dict[str, int] | None:
    known = {c.header for c in columns}
    positions: dict[str, int] = {}
    ok = True
    for index, cell in enumerate(header):
        title = cell_text(cell)
        if not title:
            continue
        if title not in known:
            message = f"未知的列“{title}”；模板中没有这一列（各列见“{NOTES_SHEET}”工作表）"
            errors.append(RowError(name, 1, title, message))
            ok = False
        elif title in positions:
            errors.append(RowError(name, 1, title, "这一列出现了两次"))
            ok = False
        else:
            positions[title] = index
    missing = [c.header for c in columns if not c.optional and c.header not in positions]
    if missing:
        errors.append(RowError(name, 1, "", "缺少列：" + "、".join(f"“{h}”" for h in missing)))
    return positions if ok and not missing else None


def _read_row(
    name: str, number: int, columns: Sequence[Column], raw: dict[str, Any], errors: list[RowError]
) -> SheetRow:
    row = SheetRow(number, values={}, present=set())
    for column in columns:
        value = raw[column.header]
        text = cell_text(value)
        if column.pad and isinstance(value, int | float) and text.isdigit():
            text = text.zfill(column.pad)  # Excel turned 000104002000 into 104002000
        if not text:
            if column.required:
                errors.append(RowError(name, number, column.header, "不能为空"))
                row.bad = True
            else:
                row.values[column.key] = column.blank_value()
            continue
        row.present.add(column.key)
        try:
            row.values[column.key] = column.parse(text)
        except CellError as exc:
            errors.append(RowError(name, number, column.header, str(exc)))
            row.bad = True
    return row
