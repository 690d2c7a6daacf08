"""Excel import and export of the matter catalog: basic items (基本目录), implementation items
(实施清单) and their materials (申请材料), in one workbook. The template and every column are
described in `docs/catalog.md` ("Excel template") and in the workbook's own notes sheet.

- `template_workbook()`: the empty template, as .xlsx bytes;
- `export_workbook(queryset=None)`: the catalog in the same layout;
- `import_workbook(data, actor=None, publish=False)`: all or nothing, row errors in Chinese,
  idempotent; returns an `ImportReport`.
"""

from __future__ import annotations

from yiwang.catalog.excel.columns import (
    BASIC_SHEET,
    COLUMNS,
    ITEM_SHEET,
    MATERIAL_SHEET,
    NOTES_SHEET,
    SHEETS,
)
from yiwang.catalog.excel.importing import import_workbook
from yiwang.catalog.excel.reading import NOT_XLSX, RowError
from yiwang.catalog.excel.report import ImportReport, SheetCounts
from yiwang.catalog.excel.writing import export_workbook, template_workbook

__all__ = [
    "BASIC_SHEET",
    "COLUMNS",
    "ITEM_SHEET",
    "MATERIAL_SHEET",
    "NOTES_SHEET",
    "NOT_XLSX",
    "SHEETS",
    "ImportReport",
    "RowError",
    "SheetCounts",
    "export_workbook",
    "import_workbook",
    "template_workbook",
]
