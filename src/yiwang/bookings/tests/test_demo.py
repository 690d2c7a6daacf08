"""The demo slots: 10 working days at every hall's general and specialist windows, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiwang.bookings.demo import bookings_demo_load
from yiwang.bookings.models import Slot
from yiwang.regions.models import Hall, Window

pytestmark = pytest.mark.django_db


def test_demo_slots_for_ten_working_days(regions: None) -> None:
    friday = dt.date(2026, 3, 13)
    created = bookings_demo_load(today=friday)
    windows = Window.objects.filter(kind__in=["general", "specialist"], is_active=True).count()
    assert created == windows * 10 * 6
    days = sorted(set(Slot.objects.values_list("date", flat=True)))
    assert days == [friday] + [dt.date(2026, 3, d) for d in (16, 17, 18, 19, 20, 23, 24, 25, 26)]
    assert not Slot.objects.filter(window__kind__in=["delivery", "consultation"]).exists()
    assert bookings_demo_load(today=friday) == 0


def test_bookings_slots_command(regions: None) -> None:
    hall = Hall.objects.get(region_id="621002000000", level="county")
    out = StringIO()
    call_command(
        "bookings_slots", str(hall.pk), "--from", "2026-03-13", "--days", "2",
        "--times", "09:00-10:00,14:30-15:30", "--capacity", "3", "--windows", "A01,B02",
        stdout=out,
    )  # fmt: skip
    assert "西峰区政务服务中心：新建预约时段 8 个（2026-03-13 至 2026-03-16）" in out.getvalue()
    assert set(Slot.objects.values_list("window__number", flat=True)) == {"A01", "B02"}
    with pytest.raises(CommandError, match="没有这些窗口"):
        call_command("bookings_slots", str(hall.pk), "--times", "09:00-10:00", "--capacity",
                     "3", "--windows", "Z99")  # fmt: skip
    with pytest.raises(CommandError, match="可预约人数应在 1 到 500 之间"):
        call_command("bookings_slots", str(hall.pk), "--times", "09:00-10:00", "--capacity", "0")
    with pytest.raises(CommandError, match="时段格式应为"):
        call_command("bookings_slots", str(hall.pk), "--times", "nine", "--capacity", "3")
    assert Slot.objects.count() == 8
