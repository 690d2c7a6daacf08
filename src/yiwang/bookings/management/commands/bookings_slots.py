"""`yiwang bookings_slots HALL_ID --days 10 --times 09:00-10:00,14:30-15:30 --capacity 4
[--windows A01,B01] [--from 2026-12-01]`: publish booking slots for a hall's working days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.bookings.demo import working_days_from
from yiwang.bookings.services import slots_generate
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Hall, Window


def _times(raw: str) -> list[tuple[dt.time, dt.time]]:
    try:
        pairs = [part.split("-") for part in raw.split(",") if part.strip()]
        return [
            (dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())) for a, b in pairs
        ]
    except ValueError as exc:
        raise CommandError(f"时段格式应为 09:00-10:00,14:30-15:30：{raw}") from exc


class Command(BaseCommand):
    help = (
        "Create booking slots at one hall for the next working days (existing slots are kept). "
        "Without --windows the slots are hall-wide; with it, one slot per window and time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hall", type=int, help="hall id")
        parser.add_argument("--days", type=int, default=10, help="working days (default 10)")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--times", required=True, help="09:00-10:00,14:30-15:30")
        parser.add_argument("--capacity", type=int, required=True)
        parser.add_argument("--windows", default="", help="window numbers, e.g. A01,B01")

    def handle(self, *args: Any, **options: Any) -> None:
        hall = Hall.objects.filter(pk=options["hall"]).first()
        if hall is None:
            raise CommandError(f"没有 ID 为 {options['hall']} 的大厅")
        if not 1 <= options["days"] <= 60:
            raise CommandError("--days 应在 1 到 60 之间")
        numbers = [n.strip() for n in options["windows"].split(",") if n.strip()]
        windows = list(Window.objects.filter(hall=hall, number__in=numbers)) if numbers else None
        if windows is not None and len(windows) != len(set(numbers)):
            raise CommandError(f"{hall.name} 没有这些窗口：{options['windows']}")
        dates = working_days_from(options["start"] or timezone.localdate(), options["days"])
        try:
            created = slots_generate(
                hall=hall,
                dates=dates,
                times=_times(options["times"]),
                capacity=options["capacity"],
                windows=windows,
                actor="command:bookings_slots",
            )
        except YiwangError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{hall.name}：新建预约时段 {created} 个（{dates[0]} 至 {dates[-1]}）"
            )
        )
