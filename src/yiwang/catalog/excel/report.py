"""The report of an import: counts per sheet, or the row errors that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field

from yiwang.catalog.excel.columns import SHEETS
from yiwang.catalog.excel.reading import RowError


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # materials only: stored materials beyond the file's last 序号

    def __str__(self) -> str:
        text = f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        return text + (f"，删除 {self.deleted}" if self.deleted else "")


def zero_counts() -> dict[str, SheetCounts]:
    return {name: SheetCounts() for name in SHEETS}


@dataclass
class ImportReport:
    """What an import did, per sheet; or, when `errors` is not empty, why it wrote nothing."""

    counts: dict[str, SheetCounts] = field(default_factory=zero_counts)
    published: int = 0  # implementation items published by this import
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return self.ok and any(c.created or c.updated or c.deleted for c in self.counts.values())

    def summary(self) -> list[str]:
        """The report in Chinese, one line each."""
        if self.errors:
            return [
                f"导入被拒绝，未写入任何数据：共 {len(self.errors)} 处错误。",
                *(str(error) for error in self.errors),
            ]
        lines = [f"{name}：{counts}" for name, counts in self.counts.items()]
        return [*lines, f"发布事项：{self.published} 个"]
