"""`yiwang catalog_import FILE [--publish]`: import a catalog workbook (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.excel import import_workbook


class Command(BaseCommand):
    help = (
        "Import basic items, implementation items and materials from an .xlsx workbook in the "
        "template's layout (`catalog_export --template`). Nothing is written when any row is "
        "wrong; the rows are listed and the command exits non-zero."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="publish new and changed implementation items"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
        report = import_workbook(data, actor=None, publish=options["publish"])
        first, *lines = report.summary()
        if not report.ok:
            for line in lines:
                self.stderr.write(line)
            raise CommandError(first)
        for line in [first, *lines]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("导入完成。" if report.changed else "没有变化。"))
