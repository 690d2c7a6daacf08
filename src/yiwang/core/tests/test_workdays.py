"""Working days over the 2026 holidays, 调休 Saturdays, overrides and unloaded years."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.models import CalendarDayKind, CalendarOverride, CalendarYear
from yiwang.core.workdays import (
    WorkCalendar,
    add_working_days,
    count_working_days,
    library_years,
    missing_years,
)

D = dt.date
LIB = WorkCalendar()


class TestLibraryCalendar:
    def test_2026_is_carried_by_the_library_and_2027_is_not(self) -> None:
        assert 2026 in library_years()
        assert 2027 not in library_years()

    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (D(2026, 2, 13), True),  # Friday before Spring Festival
            (D(2026, 2, 14), True),  # Saturday made a working day (调休)
            (D(2026, 2, 16), False),  # Monday, Spring Festival
            (D(2026, 2, 23), False),  # Monday, last day of the break
            (D(2026, 2, 24), True),
            (D(2026, 2, 28), True),  # Saturday, 调休
            (D(2026, 3, 1), False),  # ordinary Sunday
            (D(2026, 9, 20), True),  # Sunday, 调休 for National Day
            (D(2026, 9, 25), False),  # Mid-Autumn, a Friday
            (D(2026, 10, 1), False),
            (D(2026, 10, 7), False),
            (D(2026, 10, 8), True),
            (D(2026, 10, 10), True),  # Saturday, 调休
        ],
    )
    def test_is_working_day(self, day: dt.date, working: bool) -> None:
        assert LIB.is_working_day(day) is working

    def test_counting_starts_the_day_after_and_crosses_spring_festival(self) -> None:
        assert LIB.add_working_days(D(2026, 2, 13), 1).value == D(2026, 2, 14)
        assert LIB.add_working_days(D(2026, 2, 13), 2).value == D(2026, 2, 24)
        assert LIB.add_working_days(D(2026, 2, 13), 6).value == D(2026, 2, 28)
        assert LIB.add_working_days(D(2026, 2, 13), 7).value == D(2026, 3, 2)

    def test_national_day_with_its_tiaoxiu_saturday(self) -> None:
        result = LIB.add_working_days(D(2026, 9, 30), 3)
        assert result.value == D(2026, 10, 10)
        assert result.provisional is False
        assert LIB.add_working_days(D(2026, 9, 30), 4).value == D(2026, 10, 12)

    def test_twenty_working_days_from_a_normal_monday(self) -> None:
        # 2026-06-01 (Mon): June 19 is 端午; 20 working days end on 2026-06-30.
        assert LIB.add_working_days(D(2026, 6, 1), 20).value == D(2026, 6, 30)

    def test_zero_days_is_the_same_day_and_negative_is_refused(self) -> None:
        assert LIB.add_working_days(D(2026, 2, 16), 0).value == D(2026, 2, 16)
        with pytest.raises(ValueError, match="不能为负数"):
            LIB.add_working_days(D(2026, 2, 16), -1)

    def test_count_is_the_inverse_of_add(self) -> None:
        assert LIB.count_working_days(D(2026, 2, 13), D(2026, 2, 28)).value == 6
        assert LIB.count_working_days(D(2026, 9, 30), D(2026, 10, 12)).value == 4
        assert LIB.count_working_days(D(2026, 3, 5), D(2026, 3, 1)).value == 0
        for start in (D(2026, 1, 30), D(2026, 4, 30), D(2026, 9, 18)):
            for n in (1, 5, 13, 20):
                end = LIB.add_working_days(start, n).value
                assert LIB.count_working_days(start, end).value == n


class TestUnloadedYear:
    def test_deadline_reaching_into_2027_is_provisional_on_weekdays(self) -> None:
        result = LIB.add_working_days(D(2026, 12, 15), 20)
        # Dec 16–31 give 12 working days, then weekdays of 2027 (Jan 1 counted: unknown yet).
        assert result.value == D(2027, 1, 12)
        assert result.provisional is True
        assert result.unknown_years == frozenset({2027})

    def test_deadline_inside_2026_is_not_provisional(self) -> None:
        assert LIB.add_working_days(D(2026, 12, 1), 10).provisional is False

    def test_a_loaded_year_is_no_longer_provisional_and_its_holidays_count(self) -> None:
        calendar = WorkCalendar(overrides={D(2027, 1, 1): False}, loaded_years=frozenset({2027}))
        result = calendar.add_working_days(D(2026, 12, 15), 20)
        assert result.value == D(2027, 1, 13)
        assert result.provisional is False

    def test_count_into_unknown_year_is_provisional(self) -> None:
        result = LIB.count_working_days(D(2026, 12, 30), D(2027, 1, 5))
        assert result.value == 4  # Dec 31, Jan 1, 4, 5 on plain weekdays
        assert result.provisional is True


class TestOverrides:
    def test_override_wins_over_the_library(self) -> None:
        calendar = WorkCalendar(overrides={D(2026, 2, 14): False, D(2026, 3, 1): True})
        assert calendar.is_working_day(D(2026, 2, 14)) is False
        assert calendar.is_working_day(D(2026, 3, 1)) is True
        assert calendar.add_working_days(D(2026, 2, 13), 1).value == D(2026, 2, 24)

    @pytest.mark.django_db
    def test_stored_override_is_used_by_the_database_functions(self) -> None:
        assert add_working_days(D(2026, 2, 13), 1).value == D(2026, 2, 14)
        CalendarOverride.objects.create(date=D(2026, 2, 14), kind=CalendarDayKind.HOLIDAY)
        assert add_working_days(D(2026, 2, 13), 1).value == D(2026, 2, 24)
        assert count_working_days(D(2026, 2, 13), D(2026, 2, 28)).value == 5

    @pytest.mark.django_db
    def test_loaded_year_makes_database_results_definite(self) -> None:
        assert add_working_days(D(2026, 12, 15), 20).provisional is True
        year = CalendarYear.objects.create(year=2027, source="测试通知")
        CalendarOverride.objects.create(
            date=D(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦", year=year
        )
        result = add_working_days(D(2026, 12, 15), 20)
        assert (result.value, result.provisional) == (D(2027, 1, 13), False)

    @pytest.mark.django_db
    def test_missing_years_lists_this_and_next_year_without_data(self) -> None:
        assert missing_years(today=D(2026, 11, 28)) == [2027]
        assert missing_years(today=D(2026, 3, 1)) == [2027]
        assert missing_years(today=D(2025, 3, 1)) == []
        CalendarYear.objects.create(year=2027, source="测试通知")
        assert missing_years(today=D(2026, 11, 28)) == []
        assert missing_years(today=D(2027, 11, 28)) == [2028]
