"""The two clocks over real holidays, pauses and extensions (pure rules, and stored on cases)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.cases import rules
from yiwang.cases.rules import Interval, WarningRule
from yiwang.core.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()  # the chinesecalendar library: 2025 and 2026 are known years


def due(accepted: dt.date, limit: int, **kw: object) -> dt.date:
    return rules.due_date(
        accepted_on=accepted, limit=limit, today=D(2026, 12, 31), calendar=CAL, **kw
    ).value  # type: ignore[arg-type]


def test_counting_starts_the_working_day_after_acceptance() -> None:
    # Accepted Monday 2026-03-02: 1 working day → Tuesday; 5 → the next Monday.
    assert due(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert due(D(2026, 3, 2), 5) == D(2026, 3, 9)
    # Accepted on a Friday: the weekend does not count.
    assert due(D(2026, 3, 6), 1) == D(2026, 3, 9)


def test_instant_matters_are_due_the_same_day() -> None:
    assert due(D(2026, 3, 6), 0) == D(2026, 3, 6)


def test_national_day_holiday_and_makeup_working_days_2025() -> None:
    # 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are working days (调休).
    assert due(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert due(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert due(D(2025, 9, 30), 3) == D(2025, 10, 11)


def test_spring_festival_2026() -> None:
    # 2026 Spring Festival: 02-15..02-23 off; 02-14 (Sat) and 02-28 (Sat) are working days.
    assert CAL.is_working_day(D(2026, 2, 14)) and not CAL.is_working_day(D(2026, 2, 16))
    assert due(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert due(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_pauses_do_not_count() -> None:
    accepted = D(2026, 3, 2)  # Monday
    plain = due(accepted, 10)
    # A correction from Wednesday 03-04 to Monday 03-09: 3 working days (Thu, Fri, Mon) stand still.
    paused = due(accepted, 10, pauses=[Interval(D(2026, 3, 4), D(2026, 3, 9))])
    assert CAL.count_working_days(plain, paused).value == 3
    # An open pause runs until today.
    open_pause = rules.due_date(
        accepted_on=accepted, limit=10, pauses=[Interval(D(2026, 3, 4), None)],
        today=D(2026, 3, 9), calendar=CAL,
    ).value  # fmt: skip
    assert open_pause == paused


def test_pause_before_acceptance_is_ignored() -> None:
    accepted = D(2026, 3, 9)
    assert due(accepted, 5, pauses=[Interval(D(2026, 3, 2), D(2026, 3, 6))]) == due(accepted, 5)


def test_extension_adds_working_days() -> None:
    accepted = D(2026, 3, 2)
    assert CAL.count_working_days(due(accepted, 20), due(accepted, 20, extension=10)).value == 10


def test_calendar_day_limits() -> None:
    assert due(D(2026, 9, 30), 3, calendar_days=True) == D(2026, 10, 3)


def test_overrides_win_over_the_library() -> None:
    # An admin marks Tuesday 2026-03-03 as a holiday: the deadline moves by one working day.
    calendar = WorkCalendar(overrides={D(2026, 3, 3): False})
    moved = rules.due_date(
        accepted_on=D(2026, 3, 2), limit=1, today=D(2026, 3, 2), calendar=calendar
    )
    assert moved.value == D(2026, 3, 4)


def test_unknown_year_is_provisional() -> None:
    result = rules.due_date(accepted_on=D(2027, 3, 1), limit=5, today=D(2027, 3, 1), calendar=CAL)
    assert result.provisional and 2027 in result.unknown_years


def test_yellow_from_days_and_percent() -> None:
    rule = WarningRule(days=2, percent=20)
    # Limit 20 → threshold max(2, 4) = 4 working days left.
    due_on = D(2026, 3, 20)  # Friday
    yellow = rules.yellow_from(due_on=due_on, limit=20, rule=rule, calendar=CAL)
    assert CAL.count_working_days(yellow, due_on).value == 4
    assert CAL.count_working_days(yellow - dt.timedelta(days=1), due_on).value == 5


@pytest.mark.parametrize(
    ("today", "expected"),
    [(D(2026, 3, 10), "green"), (D(2026, 3, 16), "yellow"), (D(2026, 3, 20), "yellow"),
     (D(2026, 3, 21), "red")],
)  # fmt: skip
def test_light(today: dt.date, expected: str) -> None:
    yellow = rules.yellow_from(due_on=D(2026, 3, 20), limit=20, rule=WarningRule(), calendar=CAL)
    assert rules.light(
        counting=True, paused=False, due_on=D(2026, 3, 20), yellow_from=yellow, today=today
    ) == expected  # fmt: skip
    assert rules.light(
        counting=True, paused=True, due_on=D(2026, 3, 20), yellow_from=yellow, today=today
    ) == "paused"  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    accepted=st.dates(D(2025, 1, 1), D(2026, 11, 30)),
    limit=st.integers(0, 40),
    pause_start=st.integers(0, 30),
    pause_len=st.integers(0, 20),
)
def test_pause_never_shortens_and_adds_exactly_its_working_days(
    accepted: dt.date, limit: int, pause_start: int, pause_len: int
) -> None:
    start = accepted + dt.timedelta(days=pause_start)
    end = start + dt.timedelta(days=pause_len)
    plain = due(accepted, limit)
    paused = due(accepted, limit, pauses=[Interval(start, end)])
    assert paused >= plain
    stood_still = CAL.count_working_days(start, end).value
    assert CAL.count_working_days(plain, paused).value == stood_still
