"""Booking services: slots, capacity, double booking, cancelling, checking in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from yiwang.accounts.models import Person
from yiwang.bookings import rules, services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, BookingEvent, BookingState, QueueTicket, Slot
from yiwang.bookings.tests.conftest import NOW, TOMORROW_9, at, make_slot, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.core.models import AuditRecord
from yiwang.notify.models import OutboxMessage
from yiwang.regions.models import Hall

pytestmark = pytest.mark.django_db


def _refused(code: BookingsErrorCode, match: str | None = None) -> Any:
    """`pytest.raises` for a refusal with this code (and message)."""
    return pytest.raises(BookingsError, match=match, check=lambda e: e.code == code)


# --- Slots -------------------------------------------------------------------------------------


def test_slots_generate_per_window_date_and_time_once(
    city_hall: Hall, passport: ImplementationItem
) -> None:
    windows = [window_of(city_hall, "A01"), window_of(city_hall, "B01")]
    days = [dt.date(2030, 3, 4), dt.date(2030, 3, 5)]
    times = [(dt.time(9), dt.time(10)), (dt.time(14, 30), dt.time(15, 30))]
    kwargs = {"hall": city_hall, "dates": days, "times": times, "capacity": 4, "windows": windows}
    assert services.slots_generate(**kwargs) == 8  # type: ignore[arg-type]
    assert services.slots_generate(**kwargs) == 0  # type: ignore[arg-type]
    first = Slot.objects.order_by("starts_at", "window__number").first()
    assert first is not None
    assert (first.date, rules.local(first.starts_at).time(), first.capacity) == (
        dt.date(2030, 3, 4), dt.time(9), 4,
    )  # fmt: skip
    assert AuditRecord.objects.filter(action="bookings.slots_generated").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": 0}, "可预约人数应在 1 到 500 之间"),
        ({"times": [(dt.time(10), dt.time(9))]}, "时段的结束时间应晚于开始时间"),
        ({"dates": []}, "请至少选择一个日期和一个时段"),
    ],
)
def test_slots_generate_refuses_bad_input(
    city_hall: Hall, change: dict[str, object], message: str
) -> None:
    kwargs: dict[str, object] = {
        "hall": city_hall, "dates": [dt.date(2030, 3, 4)],
        "times": [(dt.time(9), dt.time(10))], "capacity": 4,
    }  # fmt: skip
    with pytest.raises(BookingsError, match=message):
        services.slots_generate(**{**kwargs, **change})  # type: ignore[arg-type]
    assert not Slot.objects.exists()


def test_slots_generate_refuses_another_halls_window(city_hall: Hall, xifeng_hall: Hall) -> None:
    with pytest.raises(BookingsError, match="所选窗口不属于该大厅"):
        services.slots_generate(
            hall=city_hall, dates=[dt.date(2030, 3, 4)], times=[(dt.time(9), dt.time(10))],
            capacity=3, windows=[window_of(xifeng_hall, "A01")],
        )  # fmt: skip


# --- Booking -----------------------------------------------------------------------------------


def test_booking_takes_a_place_records_an_event_and_sends_the_code(
    citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    slot.refresh_from_db()
    assert slot.booked_count == 1
    assert booking.state == BookingState.BOOKED and len(booking.code) == 8
    assert booking.reminded_at is None  # starts in 25 hours: the reminder comes later
    event = BookingEvent.objects.get(booking=booking)
    assert (event.action, event.actor) == (
        "booked",
        f"user:{citizen.user_id}:{citizen.user.get_username()}",
    )
    sms = OutboxMessage.objects.get(template="booking_confirmed")
    assert sms.phone == citizen.phone
    assert sms.params == {
        "when": "3月5日09:00-10:00",
        "hall": "庆阳市政务服务中心",
        "matter": "普通护照签发",
        "code": booking.code,
    }


def test_a_booking_within_24_hours_counts_as_reminded(
    citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    now = TOMORROW_9 - dt.timedelta(hours=3)
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=now)
    assert booking.reminded_at == now


def test_capacity_is_never_exceeded(
    people: list[Person], city_hall: Hall, passport: ImplementationItem
) -> None:
    slot = make_slot(city_hall, TOMORROW_9, window=window_of(city_hall, "A01"), capacity=2)
    for person in people[:2]:
        services.booking_create(person=person, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.SLOT_FULL, match="该时段已约满"):
        services.booking_create(person=people[2], slot=slot, item=passport, now=NOW)
    slot.refresh_from_db()
    assert slot.booked_count == 2
    assert not Booking.objects.filter(person=people[2]).exists()


def test_the_same_person_cannot_book_a_slot_twice_until_they_cancel(
    citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    first = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.ALREADY_BOOKED, match="您已预约该时段"):
        services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    services.booking_cancel(booking=first, person=citizen, now=NOW)
    again = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    slot.refresh_from_db()
    assert again.code != first.code and slot.booked_count == 1


def test_at_most_three_upcoming_bookings(
    citizen: Person, city_hall: Hall, passport: ImplementationItem
) -> None:
    window = window_of(city_hall, "A01")
    slots = [make_slot(city_hall, TOMORROW_9 + dt.timedelta(hours=h), window=window)
             for h in range(4)]  # fmt: skip
    for slot in slots[:3]:
        services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.TOO_MANY, match="您已有 3 个未到期的预约"):
        services.booking_create(person=citizen, slot=slots[3], item=passport, now=NOW)


@pytest.mark.parametrize("minutes_after_start", [0, 30, 120])
def test_only_future_slots(
    citizen: Person, slot: Slot, passport: ImplementationItem, minutes_after_start: int
) -> None:
    now = TOMORROW_9 + dt.timedelta(minutes=minutes_after_start)
    with _refused(BookingsErrorCode.SLOT_PAST, match="该时段已开始或已过去"):
        services.booking_create(person=citizen, slot=slot, item=passport, now=now)
    slot.refresh_from_db()
    assert slot.booked_count == 0


def test_a_matter_that_is_not_bookable_is_refused(
    citizen: Person, city_hall: Hall, not_bookable: ImplementationItem
) -> None:
    slot = make_slot(city_hall, TOMORROW_9, window=window_of(city_hall, "A01"))
    with _refused(BookingsErrorCode.NOT_BOOKABLE, match="该事项暂不支持预约办理"):
        services.booking_create(person=citizen, slot=slot, item=not_bookable, now=NOW)


@pytest.mark.parametrize("window_number", ["B04", "C01", "D01"])
def test_a_window_that_does_not_handle_the_matter_is_refused(
    citizen: Person, city_hall: Hall, passport: ImplementationItem, window_number: str
) -> None:
    # B04 is the housing fund's window, C01 delivers results, D01 answers questions.
    slot = make_slot(city_hall, TOMORROW_9, window=window_of(city_hall, window_number))
    with _refused(BookingsErrorCode.WRONG_HALL, match="该时段不办理此事项"):
        services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)


def test_a_matter_of_another_region_is_refused(
    citizen: Person, xifeng_hall: Hall, passport: ImplementationItem
) -> None:
    slot = make_slot(xifeng_hall, TOMORROW_9, window=window_of(xifeng_hall, "A01"))
    with _refused(BookingsErrorCode.WRONG_HALL):
        services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    assert not Booking.objects.exists()


def test_a_slot_for_one_matter_books_that_matter(
    citizen: Person, city_hall: Hall, passport: ImplementationItem
) -> None:
    slot = make_slot(city_hall, TOMORROW_9, item=passport)
    booking = services.booking_create(person=citizen, slot=slot, now=NOW)
    assert booking.item == passport


# --- Cancelling --------------------------------------------------------------------------------


def test_cancel_before_the_start_frees_the_place(
    citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    cancelled = services.booking_cancel(
        booking=booking, person=citizen, now=TOMORROW_9 - dt.timedelta(minutes=1)
    )
    slot.refresh_from_db()
    assert cancelled.state == BookingState.CANCELLED and slot.booked_count == 0
    assert list(booking.events.values_list("action", flat=True)) == ["booked", "cancelled"]
    with _refused(BookingsErrorCode.NOT_CANCELLABLE, match="该预约已取消，不能再取消"):
        services.booking_cancel(booking=booking, person=citizen, now=NOW)


def test_no_cancelling_once_the_slot_started(
    citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.NOT_CANCELLABLE, match="预约时段已开始，不能取消"):
        services.booking_cancel(booking=booking, person=citizen, now=TOMORROW_9)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_nobody_cancels_another_persons_booking(
    citizen: Person, other_citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.NOT_FOUND, match="未找到该预约"):
        services.booking_cancel(booking=booking, person=other_citizen, now=NOW)
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.state == BookingState.BOOKED and slot.booked_count == 1


# --- Checking in -------------------------------------------------------------------------------


def test_check_in_gives_a_priority_ticket_for_the_booked_window(
    citizen: Person, slot: Slot, passport: ImplementationItem, city_hall: Hall
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    now = TOMORROW_9 - dt.timedelta(minutes=20)
    ticket = services.booking_check_in(code=booking.code.lower(), hall=city_hall, now=now)
    booking.refresh_from_db()
    assert (ticket.code, ticket.priority, ticket.window_kind) == ("Y001", True, "specialist")
    assert ticket.department_id == passport.department_id and ticket.person == citizen
    assert (booking.state, booking.ticket, booking.checked_in_at) == ("checked_in", ticket, now)
    assert ticket.date == dt.date(2030, 3, 5)
    # Entering the code again shows the same ticket.
    assert services.booking_check_in(code=booking.code, hall=city_hall, now=now) == ticket
    assert QueueTicket.objects.count() == 1


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (at(NOW, 9, 10), "请在预约当天（3月5日）到大厅签到"),
        (TOMORROW_9 - dt.timedelta(minutes=31), "签到时间未到：请于 08:30 后签到"),
        (TOMORROW_9 + dt.timedelta(minutes=61), "预约时段已过（10:00 结束）"),
    ],
)
def test_check_in_outside_its_window_is_refused_clearly(
    citizen: Person,
    slot: Slot,
    passport: ImplementationItem,
    city_hall: Hall,
    now: dt.datetime,
    message: str,
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    with _refused(BookingsErrorCode.CHECK_IN_CLOSED, match=message):
        services.booking_check_in(code=booking.code, hall=city_hall, now=now)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED and not QueueTicket.objects.exists()


def test_check_in_at_another_hall_or_with_a_wrong_code_is_refused(
    citizen: Person, slot: Slot, passport: ImplementationItem, xifeng_hall: Hall, city_hall: Hall
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    now = TOMORROW_9
    with _refused(BookingsErrorCode.WRONG_HALL, match="该预约在庆阳市政务服务中心办理"):
        services.booking_check_in(code=booking.code, hall=xifeng_hall, now=now)
    with _refused(BookingsErrorCode.NOT_FOUND, match="未找到该预约码"):
        services.booking_check_in(code="ZZZZ2222", hall=city_hall, now=now)
    with _refused(BookingsErrorCode.NOT_FOUND):
        services.booking_check_in(code="", hall=city_hall, now=now)


def test_a_cancelled_booking_cannot_check_in(
    citizen: Person, slot: Slot, passport: ImplementationItem, city_hall: Hall
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    services.booking_cancel(booking=booking, person=citizen, now=NOW)
    with _refused(BookingsErrorCode.NOT_CHECKABLE, match="该预约已取消，不能再签到"):
        services.booking_check_in(code=booking.code, hall=city_hall, now=TOMORROW_9)
