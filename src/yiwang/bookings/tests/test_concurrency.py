"""Concurrency on PostgreSQL: many people booking one slot at once, many windows calling one
queue at once, many kiosks taking numbers at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from yiwang.accounts.models import Person, Staff
from yiwang.bookings import services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, QueueTicket, TicketState
from yiwang.bookings.tests.conftest import NOW, TOMORROW_9, at, make_slot, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Hall

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers (BEGIN IMMEDIATE): row locks are tested on PostgreSQL",
    ),
]


def _in_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job in its own thread, all released at once; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = jobs[index]()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_people_booking_five_places_get_exactly_five(
    people: list[Person], city_hall: Hall, passport: ImplementationItem
) -> None:
    slot = make_slot(city_hall, TOMORROW_9, window=window_of(city_hall, "B01"), capacity=5)

    def book(person: Person) -> Callable[[], Any]:
        return lambda: services.booking_create(person=person, slot=slot, item=passport, now=NOW)

    results = _in_threads([book(p) for p in people])
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, BookingsError)]
    assert len(booked) == 5 and len(refused) == 15, results
    assert {r.code for r in refused} == {BookingsErrorCode.SLOT_FULL}
    slot.refresh_from_db()
    assert slot.booked_count == 5 == Booking.objects.filter(slot=slot).count()


def test_windows_calling_at_once_never_call_the_same_ticket(
    xifeng_hall: Hall, officer: Staff
) -> None:
    now = at(dt.date(2030, 3, 5), 9)
    for minute in range(4):
        services.ticket_take(
            hall=xifeng_hall, window_kind="general", now=now + dt.timedelta(minutes=minute)
        )
    windows = [window_of(xifeng_hall, f"A0{n}") for n in range(1, 5)]

    def call(window: Any) -> Callable[[], Any]:
        return lambda: services.ticket_call_next(
            officer=officer, window=window, now=now + dt.timedelta(minutes=10)
        )

    results = _in_threads([call(w) for w in windows])
    codes = sorted(r.code for r in results if isinstance(r, QueueTicket))
    assert codes == ["A001", "A002", "A003", "A004"], results
    assert QueueTicket.objects.filter(state=TicketState.CALLED).count() == 4


def test_kiosks_taking_numbers_at_once_get_distinct_numbers(xifeng_hall: Hall) -> None:
    now = at(dt.date(2030, 3, 5), 9)

    def take() -> QueueTicket:
        return services.ticket_take(hall=xifeng_hall, window_kind="general", now=now)

    results = _in_threads([take for _ in range(12)])
    codes = sorted(r.code for r in results if isinstance(r, QueueTicket))
    assert codes == [f"A{n:03d}" for n in range(1, 13)], results
