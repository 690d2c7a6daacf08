"""The pure rules: check-in window, who serves what, codes and SMS parameters."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.bookings import rules
from yiwang.bookings.tests.conftest import SHANGHAI

START = dt.datetime(2030, 3, 5, 9, 0, tzinfo=SHANGHAI)
END = START + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START - dt.timedelta(days=1), "请在预约当天（3月5日）到大厅签到"),
        (START - dt.timedelta(minutes=31), "签到时间未到：请于 08:30 后签到"),
        (START - dt.timedelta(minutes=30), ""),
        (START + dt.timedelta(minutes=59), ""),
        (END, ""),
        (END + dt.timedelta(seconds=1), "预约时段已过（10:00 结束）"),
        (START + dt.timedelta(days=1), "预约时段已过（10:00 结束）"),
    ],
)
def test_check_in_only_from_30_minutes_before_until_the_end(
    now: dt.datetime, expected: str
) -> None:
    refusal = rules.check_in_refusal(starts_at=START, ends_at=END, now=now)
    assert refusal.startswith(expected) if expected else refusal == ""


def test_check_in_day_is_the_local_day() -> None:
    # In UTC both are on 4 March (15:55 and 16:20); in Shanghai the slot is on the 5th.
    start = dt.datetime(2030, 3, 5, 0, 20, tzinfo=SHANGHAI)
    now = dt.datetime(2030, 3, 4, 23, 55, tzinfo=SHANGHAI)
    assert rules.check_in_refusal(starts_at=start, ends_at=start + (END - START), now=now) == (
        "请在预约当天（3月5日）到大厅签到"
    )


@pytest.mark.parametrize(
    ("slot_item", "kind", "window_dept", "served"),
    [
        (None, None, None, True),  # hall-wide slot
        (None, "general", None, True),  # 综合受理 takes every matter
        (None, "specialist", 7, True),  # the matter's own department
        (None, "specialist", 8, False),  # another department's window
        (None, "delivery", None, False),
        (None, "consultation", None, False),
        (100, "general", None, True),  # a slot for this matter
        (101, "general", None, False),  # a slot for another matter
    ],
)
def test_slot_serves_item(
    slot_item: int | None, kind: str | None, window_dept: int | None, served: bool
) -> None:
    assert (
        rules.slot_serves_item(
            slot_item_id=slot_item,
            window_kind=kind,
            window_department_id=window_dept,
            item_id=100,
            item_department_id=7,
        )
        is served
    )


@pytest.mark.parametrize(
    ("window_kind", "window_dept", "ticket_kind", "ticket_dept", "served"),
    [
        ("general", None, "general", None, True),
        ("general", None, "specialist", 7, False),
        ("specialist", 7, "specialist", 7, True),
        ("specialist", 8, "specialist", 7, False),
        ("delivery", None, "delivery", None, True),
    ],
)
def test_window_serves_ticket(
    window_kind: str, window_dept: int | None, ticket_kind: str, ticket_dept: int | None,
    served: bool,
) -> None:  # fmt: skip
    assert (
        rules.window_serves_ticket(
            window_kind=window_kind,
            window_department_id=window_dept,
            ticket_kind=ticket_kind,
            ticket_department_id=ticket_dept,
        )
        is served
    )


@pytest.mark.parametrize(
    ("staff_dept", "staff_prefix", "window_dept", "hall_prefix", "allowed"),
    [
        (7, "6210", 7, "6210", True),  # the department's own window
        (7, "6210", 8, "6210", False),  # another department's window in the same hall
        (7, "6210", None, "6210", True),  # a general window of the staff's region's hall
        (7, "6210", None, "621002", False),  # a general window of a county hall
        (71, "621002", None, "621002001", False),  # a township hall below the county
    ],
)
def test_officer_may_serve(
    staff_dept: int, staff_prefix: str, window_dept: int | None, hall_prefix: str, allowed: bool
) -> None:
    assert (
        rules.officer_may_serve(
            staff_department_id=staff_dept,
            staff_region_prefix=staff_prefix,
            window_department_id=window_dept,
            hall_region_prefix=hall_prefix,
        )
        is allowed
    )


def test_hall_serves_only_the_items_of_its_own_region() -> None:
    assert rules.hall_serves_item(hall_prefix="621002", item_prefix="621002")
    assert not rules.hall_serves_item(hall_prefix="6210", item_prefix="621002")
    assert not rules.hall_serves_item(hall_prefix="621002", item_prefix="6210")


def test_ticket_codes() -> None:
    assert rules.ticket_code(rules.ticket_prefix(window_kind="general", priority=False), 12) == (
        "A012"
    )
    assert rules.ticket_code(rules.ticket_prefix(window_kind="specialist", priority=True), 3) == (
        "Y003"
    )
    assert rules.ticket_code("C", 1000) == "C1000"


def test_booking_codes_are_unambiguous_and_normalised() -> None:
    codes = {rules.booking_code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and not set(c) & set("01OI") for c in codes)
    assert rules.booking_code_normalize(" k7m2-9x4q ") == "K7M29X4Q"


def test_wait_seconds_and_labels() -> None:
    assert rules.wait_seconds(taken_at=START, called_at=START + dt.timedelta(minutes=7)) == 420
    assert rules.wait_seconds(taken_at=START, called_at=START - dt.timedelta(seconds=5)) == 0
    assert rules.when_label(START, END) == "3月5日09:00-10:00"


def test_sms_param_strips_brackets_and_shortens() -> None:
    assert rules.sms_param("【假冒】庆阳\n市", limit=20) == "假冒庆阳市"
    assert rules.sms_param("一" * 30, limit=10) == "一" * 9 + "…"


def test_slot_bounds_are_local_and_ordered() -> None:
    start, end = rules.slot_bounds(day=dt.date(2030, 3, 5), start=dt.time(9), end=dt.time(10))
    assert start == START and end == END
    with pytest.raises(ValueError, match="结束时间应晚于开始时间"):
        rules.slot_bounds(day=dt.date(2030, 3, 5), start=dt.time(10), end=dt.time(9))
