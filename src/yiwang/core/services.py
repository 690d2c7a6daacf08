"""Core services: the only write path to the calendar tables (the audit chain is in audit.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction

from yiwang.core.audit import audit_record
from yiwang.core.errors import YiwangError
from yiwang.core.models import CalendarDayKind, CalendarOverride, CalendarYear

KIND_WORDS = {
    "休": CalendarDayKind.HOLIDAY,
    "假": CalendarDayKind.HOLIDAY,
    "holiday": CalendarDayKind.HOLIDAY,
    "班": CalendarDayKind.WORKDAY,
    "上班": CalendarDayKind.WORKDAY,
    "workday": CalendarDayKind.WORKDAY,
}


@dataclass(frozen=True)
class ScheduleDay:
    date: dt.date
    kind: CalendarDayKind
    name: str


def parse_year_schedule(text: str, *, year: int) -> list[ScheduleDay]:
    """Parse a year's schedule: one line per date or range, `日期,休|班,名称`.

    A range is written `2027-02-06~2027-02-13`. Blank lines and lines starting with `#` are
    skipped, as is a header line starting with `date` or `日期`. Every problem is reported with
    its line number, in one error, and nothing is loaded.
    """
    days: dict[dt.date, ScheduleDay] = {}
    errors: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        first = row[0].strip().lower()
        if first in {"date", "日期"}:
            continue
        if len(row) < 2:
            errors.append(f"第 {number} 行：应为“日期,休或班,名称”")
            continue
        kind = KIND_WORDS.get(row[1].strip().lower())
        if kind is None:
            errors.append(f"第 {number} 行：类型“{row[1].strip()}”无法识别，应为“休”或“班”")
            continue
        name = row[2].strip() if len(row) > 2 else ""
        try:
            start, _, end = first.partition("~")
            first_day = dt.date.fromisoformat(start.strip())
            last_day = dt.date.fromisoformat(end.strip()) if end else first_day
        except ValueError:
            errors.append(f"第 {number} 行：日期“{row[0].strip()}”格式不正确，应为 YYYY-MM-DD")
            continue
        if last_day < first_day:
            errors.append(f"第 {number} 行：日期范围的结束早于开始")
            continue
        day = first_day
        while day <= last_day:
            if day.year != year:
                errors.append(f"第 {number} 行：{day:%Y-%m-%d} 不属于 {year} 年")
                break
            if day in days:
                errors.append(f"第 {number} 行：{day:%Y-%m-%d} 重复出现")
                break
            days[day] = ScheduleDay(day, kind, name)
            day += dt.timedelta(days=1)
    if errors:
        raise YiwangError("年度节假日安排有误：" + "；".join(errors), fields={"file": errors})
    if not days:
        raise YiwangError("年度节假日安排为空：至少应列出法定节假日和调休上班日")
    return sorted(days.values(), key=lambda d: d.date)


def calendar_year_load(
    *, year: int, days: list[ScheduleDay], source: str, actor: str, source_ip: str | None = None
) -> CalendarYear:
    """Load (or reload) a year's schedule; deadlines that reached into it are then recomputed."""
    if not source.strip():
        raise YiwangError("请填写依据，如国务院办公厅的通知名称", fields={"source": ["必填"]})
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source.strip()}
        )
        CalendarOverride.objects.filter(date__year=year, year=calendar_year).delete()
        # A date the schedule lists replaces a single override made earlier for that date.
        CalendarOverride.objects.filter(date__in=[d.date for d in days]).delete()
        CalendarOverride.objects.bulk_create(
            CalendarOverride(date=d.date, kind=d.kind, name=d.name, year=calendar_year)
            for d in days
        )
        audit_record(
            actor=actor,
            action="calendar.year_load" if created else "calendar.year_reload",
            object_type="calendar_year",
            object_id=year,
            source_ip=source_ip,
            detail={"source": source.strip(), "days": len(days)},
        )
        transaction.on_commit(lambda: _enqueue_recompute(year))
    return calendar_year


def _enqueue_recompute(year: int) -> None:
    from yiwang.core.tasks import recompute_provisional_deadlines

    recompute_provisional_deadlines.enqueue(year=year)


def calendar_override_set(
    *, day: dt.date, kind: str, name: str, actor: str, source_ip: str | None = None
) -> CalendarOverride:
    """Declare one date a working day or a day off (wins over the library)."""
    if kind not in CalendarDayKind.values:
        raise YiwangError("类型应为“工作日”或“休息日”", fields={"kind": ["无效的类型"]})
    with transaction.atomic():
        override, created = CalendarOverride.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name.strip()}
        )
        audit_record(
            actor=actor,
            action="calendar.override_set",
            object_type="calendar_override",
            object_id=day.isoformat(),
            source_ip=source_ip,
            detail={"kind": kind, "name": name.strip(), "created": created},
        )
        transaction.on_commit(lambda: _enqueue_recompute(day.year))
    return override


def calendar_override_delete(
    *, override: CalendarOverride, actor: str, source_ip: str | None = None
) -> None:
    with transaction.atomic():
        day = override.date
        override.delete()
        audit_record(
            actor=actor,
            action="calendar.override_delete",
            object_type="calendar_override",
            object_id=day.isoformat(),
            source_ip=source_ip,
        )
        transaction.on_commit(lambda: _enqueue_recompute(day.year))
