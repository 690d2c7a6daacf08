"""Demo booking slots: the next 10 working days at every demo hall's general and specialist
windows, six one-hour slots a day (three in the morning, three in the afternoon).

DEMO DATA: real halls publish their own slots; the times follow the demo halls' opening hours
(8:30—12:00, 14:30—18:00) and the capacities are illustrative.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.bookings import rules
from yiwang.bookings.services import SlotRow, slots_insert_missing
from yiwang.core.audit import SYSTEM_ACTOR, audit_record
from yiwang.core.workdays import calendar_between
from yiwang.regions.models import Window

DEMO_TIMES: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 0), dt.time(10, 0)),
    (dt.time(10, 0), dt.time(11, 0)),
    (dt.time(11, 0), dt.time(12, 0)),
    (dt.time(14, 30), dt.time(15, 30)),
    (dt.time(15, 30), dt.time(16, 30)),
    (dt.time(16, 30), dt.time(17, 30)),
)
DEMO_CAPACITY: dict[str, int] = {Window.Kind.GENERAL: 4, Window.Kind.SPECIALIST: 3}


def working_days_from(start: dt.date, count: int) -> list[dt.date]:
    """`count` working days from `start` on (`start` itself when it is one)."""
    calendar = calendar_between(start, start + dt.timedelta(days=2 * count + 40))
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@transaction.atomic
def bookings_demo_load(*, today: dt.date | None = None, days: int = 10) -> int:
    """Create the demo slots for `days` working days from `today` (default: the local date) at
    every hall's active general and specialist windows; return how many were created (zero on a
    second run). Needs the demo halls and windows (`regions.services.demo_load`)."""
    today = today or timezone.localdate()
    dates = working_days_from(today, days)
    bounds = [rules.slot_bounds(day=d, start=s, end=e) for d in dates for s, e in DEMO_TIMES]
    windows = Window.objects.filter(is_active=True, kind__in=list(DEMO_CAPACITY)).values_list(
        "pk", "hall_id", "kind"
    )
    rows: list[SlotRow] = [
        (hall_id, window_id, None, starts_at, ends_at, DEMO_CAPACITY[kind])
        for window_id, hall_id, kind in windows
        for starts_at, ends_at in bounds
    ]
    hall_ids = sorted({row[0] for row in rows})
    created = slots_insert_missing(hall_ids=hall_ids, rows=rows)
    if created:
        audit_record(
            actor=SYSTEM_ACTOR,
            action="bookings.demo_loaded",
            detail={"slots": created, "from": dates[0].isoformat(), "to": dates[-1].isoformat()},
        )
    return created
