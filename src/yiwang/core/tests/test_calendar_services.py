"""Loading a year's schedule, single overrides, and recomputation after a change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yiwang.core.errors import YiwangError
from yiwang.core.models import AuditRecord, CalendarDayKind, CalendarOverride, CalendarYear
from yiwang.core.services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_load,
    parse_year_schedule,
)
from yiwang.core.workdays import (
    add_working_days,
    register_deadline_recomputer,
    unregister_deadline_recomputer,
)

pytestmark = pytest.mark.django_db
D = dt.date

SCHEDULE_2027 = """\ufeff日期,类型,名称
# 示例：测试用的安排，不是国务院的真实通知
2027-01-01,休,元旦
2027-02-06~2027-02-12,休,春节
2027-02-14,班,春节调休上班
"""


@pytest.fixture
def recomputed() -> Iterator[list[int]]:
    """Register a deadline recomputer the way a domain app would, and record its calls."""
    calls: list[int] = []

    def recompute(year: int) -> int:
        calls.append(year)
        return 1

    register_deadline_recomputer("test", recompute)
    yield calls
    unregister_deadline_recomputer("test")


class TestParse:
    def test_ranges_kinds_and_header(self) -> None:
        days = parse_year_schedule(SCHEDULE_2027, year=2027)
        assert len(days) == 1 + 7 + 1
        assert days[0].date == D(2027, 1, 1) and days[0].kind == CalendarDayKind.HOLIDAY
        assert days[-1].date == D(2027, 2, 14) and days[-1].kind == CalendarDayKind.WORKDAY
        assert {d.name for d in days} == {"元旦", "春节", "春节调休上班"}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("2027-13-01,休,x", "第 1 行：日期“2027-13-01”格式不正确"),
            ("2027-01-01,放假,x", "类型“放假”无法识别"),
            ("2026-12-31,休,x", "不属于 2027 年"),
            ("2027-01-01,休,a\n2027-01-01,班,b", "第 2 行：2027-01-01 重复出现"),
            ("2027-02-12~2027-02-06,休,x", "结束早于开始"),
            ("2027-01-01", "第 1 行：应为"),
            ("# 只有注释\n", "为空"),
        ],
    )
    def test_errors_name_the_line(self, text: str, message: str) -> None:
        with pytest.raises(YiwangError) as excinfo:
            parse_year_schedule(text, year=2027)
        assert message in excinfo.value.message


class TestYearLoad:
    # The worker runs in these tests and manages its own connection: real transactions.
    @pytest.mark.django_db(transaction=True)
    def test_load_makes_2027_definite_and_audits(self, recomputed: list[int]) -> None:
        before = add_working_days(D(2026, 12, 15), 20)
        assert before.provisional
        days = parse_year_schedule(SCHEDULE_2027, year=2027)
        calendar_year_load(year=2027, days=days, source="测试通知", actor="user:1:admin")
        after = add_working_days(D(2026, 12, 15), 20)
        assert (after.value, after.provisional) == (D(2027, 1, 13), False)
        record = AuditRecord.objects.get(action="calendar.year_load")
        assert record.detail == {"source": "测试通知", "days": 9}
        # The recompute task was queued; the worker runs it and calls the registered recomputer.
        call_command("worker", "--batch", verbosity=0)
        assert recomputed == [2027]

    def test_reload_replaces_the_years_days(self) -> None:
        days = parse_year_schedule(SCHEDULE_2027, year=2027)
        calendar_year_load(year=2027, days=days, source="第一版", actor="cli")
        calendar_year_load(
            year=2027, days=parse_year_schedule("2027-01-01,休,元旦", year=2027),
            source="更正版", actor="cli",
        )  # fmt: skip
        assert CalendarYear.objects.get(year=2027).source == "更正版"
        assert list(CalendarOverride.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
        assert AuditRecord.objects.filter(action="calendar.year_reload").count() == 1

    def test_source_is_required_and_nothing_changes(self) -> None:
        days = parse_year_schedule(SCHEDULE_2027, year=2027)
        with pytest.raises(YiwangError, match="依据"):
            calendar_year_load(year=2027, days=days, source="  ", actor="cli")
        assert not CalendarYear.objects.exists()
        assert not CalendarOverride.objects.exists()

    def test_command_loads_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "2027.csv"
        path.write_text(SCHEDULE_2027, encoding="utf-8")
        call_command("calendar", "load", str(path), "--year", "2027", "--source", "测试通知")
        assert CalendarOverride.objects.filter(date__year=2027).count() == 9

    def test_command_refuses_a_bad_file_and_loads_nothing(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("2027-01-01,休,元旦\n2027-02-30,休,错\n", encoding="utf-8")
        with pytest.raises(CommandError, match="第 2 行"):
            call_command("calendar", "load", str(path), "--year", "2027", "--source", "x")
        assert not CalendarOverride.objects.exists()
        assert not CalendarYear.objects.exists()


class TestOverrideServices:
    @pytest.mark.django_db(transaction=True)
    def test_set_update_and_delete_are_audited(self, recomputed: list[int]) -> None:
        override = calendar_override_set(
            day=D(2026, 3, 2), kind="holiday", name="临时停办", actor="user:1:admin"
        )
        assert add_working_days(D(2026, 2, 27), 2).value == D(2026, 3, 3)
        calendar_override_set(day=D(2026, 3, 2), kind="workday", name="恢复", actor="user:1:a")
        assert CalendarOverride.objects.get().kind == "workday"
        calendar_override_delete(override=CalendarOverride.objects.get(), actor="user:1:admin")
        assert not CalendarOverride.objects.exists()
        actions = list(AuditRecord.objects.values_list("action", flat=True))
        assert actions == [
            "calendar.override_set",
            "calendar.override_set",
            "calendar.override_delete",
        ]
        assert override.date == D(2026, 3, 2)
        call_command("worker", "--batch", verbosity=0)
        assert recomputed == [2026, 2026, 2026]  # one run per change, each idempotent

    def test_unknown_kind_is_refused(self) -> None:
        with pytest.raises(YiwangError, match="类型"):
            calendar_override_set(day=D(2026, 3, 2), kind="maybe", name="", actor="cli")
        assert not CalendarOverride.objects.exists()
        assert not AuditRecord.objects.exists()
