from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import YiwangError
from yiwang.core.services import calendar_year_load, parse_year_schedule
from yiwang.core.workdays import missing_years


class Command(BaseCommand):
    help = "Working-day calendar: `load FILE --year Y --source TEXT`, or `status`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "status"])
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--year", type=int)
        parser.add_argument("--source", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        if options["action"] == "status":
            missing = missing_years(today=timezone.localdate())
            if missing:
                years = "、".join(str(y) for y in missing)
                self.stdout.write(
                    self.style.WARNING(f"缺少 {years} 年节假日安排，期限暂按工作日推算。")
                )
            else:
                self.stdout.write(self.style.SUCCESS("今明两年的节假日安排均已具备。"))
            return
        path, year = options["file"], options["year"]
        if path is None or year is None:
            raise CommandError("用法：yiwang calendar load 文件 --year 年度 --source 依据")
        try:
            days = parse_year_schedule(path.read_text(encoding="utf-8"), year=year)
            calendar_year_load(year=year, days=days, source=options["source"], actor="cli")
        except (OSError, YiwangError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{year} 年节假日安排已导入：{len(days)} 天。"))
