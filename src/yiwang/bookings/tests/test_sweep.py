"""The 15-minute sweep: reminders once per booking, missed bookings, and the periodic job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.accounts.models import Person
from yiwang.bookings import services
from yiwang.bookings.models import Booking, BookingEvent, BookingState, Slot
from yiwang.bookings.tasks import bookings_sweep
from yiwang.bookings.tests.conftest import NOW, TOMORROW_9, make_slot, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.core.scheduler import PERIODIC_JOBS
from yiwang.notify.models import OutboxMessage
from yiwang.regions.models import Hall

pytestmark = pytest.mark.django_db

BOOKED_AT = NOW - dt.timedelta(days=3)


def _reminders() -> list[str]:
    return list(
        OutboxMessage.objects.filter(template="booking_reminder").values_list("phone", flat=True)
    )


def test_a_reminder_goes_out_once_within_24_hours(
    citizen: Person, other_citizen: Person, slot: Slot, passport: ImplementationItem,
    city_hall: Hall,
) -> None:  # fmt: skip
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=BOOKED_AT)
    later = make_slot(city_hall, TOMORROW_9 + dt.timedelta(days=2), window=slot.window)
    services.booking_create(person=other_citizen, slot=later, item=passport, now=BOOKED_AT)

    assert services.bookings_remind_due(now=TOMORROW_9 - dt.timedelta(hours=25)) == 0
    now = TOMORROW_9 - dt.timedelta(hours=23)
    assert services.bookings_remind_due(now=now) == 1
    assert services.bookings_remind_due(now=now) == 0
    assert services.bookings_remind_due(now=now + dt.timedelta(minutes=15)) == 0
    assert _reminders() == [citizen.phone]  # the later booking is not due yet
    booking.refresh_from_db()
    assert booking.reminded_at == now
    assert BookingEvent.objects.filter(booking=booking, action="reminded").count() == 1
    params = OutboxMessage.objects.get(template="booking_reminder").params
    assert params["code"] == booking.code and params["when"] == "3月5日09:00-10:00"


def test_cancelled_and_started_bookings_get_no_reminder(
    citizen: Person, other_citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    cancelled = services.booking_create(person=citizen, slot=slot, item=passport, now=BOOKED_AT)
    services.booking_cancel(booking=cancelled, person=citizen, now=BOOKED_AT)
    services.booking_create(person=other_citizen, slot=slot, item=passport, now=BOOKED_AT)
    assert services.bookings_remind_due(now=TOMORROW_9 + dt.timedelta(minutes=1)) == 0
    assert _reminders() == []


def test_a_refused_sms_leaves_the_reminder_for_the_next_sweep(
    citizen: Person, slot: Slot, passport: ImplementationItem, settings: pytest.FixtureRequest
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=BOOKED_AT)
    now = TOMORROW_9 - dt.timedelta(hours=2)
    settings.NOTIFY = {**settings.NOTIFY, "PER_PHONE_PER_HOUR": 1}  # type: ignore[attr-defined]
    OutboxMessage.objects.update(created_at=now)  # the confirmation counts against the limit
    assert services.bookings_remind_due(now=now) == 0
    booking.refresh_from_db()
    assert booking.reminded_at is None
    assert services.bookings_remind_due(now=now + dt.timedelta(hours=1, minutes=1)) == 1


def test_bookings_not_checked_in_become_missed(
    citizen: Person, other_citizen: Person, slot: Slot, passport: ImplementationItem,
    city_hall: Hall,
) -> None:  # fmt: skip
    missed = services.booking_create(person=citizen, slot=slot, item=passport, now=BOOKED_AT)
    came = services.booking_create(person=other_citizen, slot=slot, item=passport, now=BOOKED_AT)
    services.booking_check_in(code=came.code, hall=city_hall, now=TOMORROW_9)
    assert services.bookings_mark_missed(now=TOMORROW_9 + dt.timedelta(minutes=59)) == 0
    assert services.bookings_mark_missed(now=TOMORROW_9 + dt.timedelta(hours=1)) == 1
    assert services.bookings_mark_missed(now=TOMORROW_9 + dt.timedelta(hours=2)) == 0
    states = dict(Booking.objects.values_list("pk", "state"))
    assert states == {missed.pk: BookingState.MISSED, came.pk: BookingState.CHECKED_IN}
    assert BookingEvent.objects.get(booking=missed, action="missed").actor == "system"


def test_the_sweep_is_a_periodic_job_every_15_minutes(
    citizen: Person, city_hall: Hall, passport: ImplementationItem
) -> None:
    job = next(j for j in PERIODIC_JOBS if j.name == "bookings_sweep")
    assert job.every == dt.timedelta(minutes=15)
    assert job.task_path == "yiwang.bookings.tasks:bookings_sweep"
    assert bookings_sweep.call() == {"reminded": 0, "missed": 0}  # type: ignore[attr-defined]
    soon = make_slot(
        city_hall, timezone.now() + dt.timedelta(hours=2), window=window_of(city_hall, "A01")
    )
    booked_at = timezone.now() - dt.timedelta(days=2)  # booked early: not reminded on booking
    services.booking_create(person=citizen, slot=soon, item=passport, now=booked_at)
    assert bookings_sweep.call() == {"reminded": 1, "missed": 0}  # type: ignore[attr-defined]
