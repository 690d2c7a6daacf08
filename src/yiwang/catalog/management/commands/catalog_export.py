"""`yiwang catalog_export [FILE] [--template]`: the catalog, or the empty template, as .xlsx."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.catalog.excel import export_workbook, template_workbook


class Command(BaseCommand):
    help = (
        "Export basic items, implementation items (current version, or the draft of an unpublished "
        "item) and materials to an .xlsx workbook; `--template` writes the empty template. "
        "FILE defaults to a dated name in the current directory; `-` writes to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=str)
        parser.add_argument("--template", action="store_true", help="the empty import template")

    def handle(self, *args: Any, **options: Any) -> None:
        data = template_workbook() if options["template"] else export_workbook()
        target = options["file"]
        if target == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        if not target:
            stem = "事项导入模板" if options["template"] else "事项目录"
            target = f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"
        path = Path(target)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc.strerror or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已写入 {path}（{len(data)} 字节）。"))
