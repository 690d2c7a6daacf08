"""Working days over the generated year, and local (Asia/Shanghai) times."""

from __future__ import annotations

import bisect
import datetime as dt

from yiwang.core.workdays import WorkCalendar

CHINA = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no summer time since 1991


class Days:
    """The stored working-day calendar over the generated span, with O(1) "k working days
    after" (the same answers as `WorkCalendar.add_working_days`)."""

    def __init__(self, calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
        flags: dict[dt.date, bool] = {}
        day = start
        while day <= end:
            flags[day] = calendar.is_working_day(day)
            day += dt.timedelta(days=1)
        # Every day of the span as an override: the same answers, without asking the library
        # (which `covers` still does, so provisional deadlines stay provisional).
        self.calendar = WorkCalendar(overrides=flags, loaded_years=calendar.loaded_years)
        self.flags = flags
        self.working = [day for day, working in flags.items() if working]

    def is_working(self, day: dt.date) -> bool:
        flag = self.flags.get(day)
        return self.calendar.is_working_day(day) if flag is None else flag

    def add(self, day: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `day` (0: `day` itself)."""
        if days == 0:
            return day
        index = bisect.bisect_right(self.working, day) + days - 1
        if index >= len(self.working):
            return self.calendar.add_working_days(day, days).value
        return self.working[index]


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def at_minute(day: dt.date, minute: float) -> dt.datetime:
    """`minute` minutes after local midnight of `day`, as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=CHINA) + dt.timedelta(minutes=minute)
    return local.astimezone(dt.UTC)


OFFICE = (8 * 60 + 30, 17 * 60 + 30)  # local minutes a window works (a simplification)
