"""The working-day calendar: statutory holidays, 调休 working weekends, and what is not yet known.

Precedence for one date: an override row (admin-edited, or loaded with a year's schedule) wins;
then the `chinesecalendar` library for the years it carries; otherwise plain weekdays. A result
that relied on plain weekdays for a year nobody has loaded is *provisional*: it is shown as such
and recomputed when the year's schedule is loaded (see `calendar_year_load`).

`WorkCalendar` is pure (time and data are injected, so tests need no database); `calendar_between`
builds one from the database for a date range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Generic, TypeVar

import chinese_calendar

T = TypeVar("T")


@cache
def library_years() -> frozenset[int]:
    """The years the installed `chinesecalendar` release carries data for."""
    years = {day.year for day in chinese_calendar.holidays} | {
        day.year for day in chinese_calendar.workdays
    }
    return frozenset(years)


@dataclass(frozen=True)
class Reckoned(Generic[T]):
    """A computed value and whether it rests on an unloaded year's plain weekdays."""

    value: T
    provisional: bool
    unknown_years: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days from overrides (True = working day), loaded years and the library."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    loaded_years: frozenset[int] = field(default_factory=frozenset)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.loaded_years or day.year in library_years()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in library_years():
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> Reckoned[dt.date]:
        """The `days`-th working day after `start` (counting begins the day after; 0 → start)."""
        if days < 0:
            raise ValueError("工作日天数不能为负数")
        current, counted, unknown = start, 0, set()
        while counted < days:
            current += dt.timedelta(days=1)
            if not self.covers(current):
                unknown.add(current.year)
            if self.is_working_day(current):
                counted += 1
        return Reckoned(current, bool(unknown), frozenset(unknown))

    def count_working_days(self, start: dt.date, end: dt.date) -> Reckoned[int]:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, unknown = 0, set()
        current = start + dt.timedelta(days=1)
        while current <= end:
            if not self.covers(current):
                unknown.add(current.year)
            if self.is_working_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return Reckoned(count, bool(unknown), frozenset(unknown))


def calendar_between(start: dt.date, end: dt.date) -> WorkCalendar:
    """A calendar with the overrides stored for [start, end] and every loaded year."""
    from yiwang.core.models import CalendarDayKind, CalendarOverride, CalendarYear

    rows = CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "kind")
    overrides = {day: kind == CalendarDayKind.WORKDAY for day, kind in rows}
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides=overrides, loaded_years=years)


def add_working_days(start: dt.date, days: int) -> Reckoned[dt.date]:
    """`WorkCalendar.add_working_days` over the stored calendar."""
    # n working days never span more than 2n + 40 calendar days (longest break: 8 days + weekends).
    span = dt.timedelta(days=2 * days + 40)
    return calendar_between(start, start + span).add_working_days(start, days)


def count_working_days(start: dt.date, end: dt.date) -> Reckoned[int]:
    """`WorkCalendar.count_working_days` over the stored calendar."""
    return calendar_between(start, end).count_working_days(start, end)


def missing_years(*, today: dt.date) -> list[int]:
    """This year and next, where neither the library nor a loaded schedule covers them."""
    from yiwang.core.models import CalendarYear

    loaded = set(CalendarYear.objects.values_list("year", flat=True))
    wanted = [today.year, today.year + 1]
    return [year for year in wanted if year not in loaded and year not in library_years()]


# --- Recomputing provisional deadlines -------------------------------------------------------
# Domains above core (cases, reviews, supervision) store deadlines. They register a function here
# (in their AppConfig.ready) that recomputes the provisional deadlines reaching into a year; it is
# called by the task that runs after a year's schedule is loaded. Core imports none of them.

DeadlineRecomputer = Callable[[int], int]
_recomputers: dict[str, DeadlineRecomputer] = {}


def register_deadline_recomputer(name: str, recompute: DeadlineRecomputer) -> None:
    """Register `recompute(year) -> number of deadlines changed` under a unique name."""
    _recomputers[name] = recompute


def unregister_deadline_recomputer(name: str) -> None:
    _recomputers.pop(name, None)


def deadline_recomputers() -> Iterable[tuple[str, DeadlineRecomputer]]:
    return list(_recomputers.items())
