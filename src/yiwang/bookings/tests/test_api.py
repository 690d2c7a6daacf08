"""The REST API: response shapes, the error shape, permissions, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.bookings import services
from yiwang.bookings.models import Booking, BookingState, QueueTicket, Slot, TicketState
from yiwang.bookings.tests.conftest import make_slot, staff_client, token_for, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Hall

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=2)


@pytest.fixture
def slots(city_hall: Hall, passport: ImplementationItem, day: dt.date) -> list[Slot]:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time(9), tzinfo=zone)
    return [
        make_slot(city_hall, start, window=window_of(city_hall, "B01"), capacity=2),
        make_slot(city_hall, start, window=window_of(city_hall, "A01"), capacity=1),
        make_slot(city_hall, start, window=window_of(city_hall, "B04")),  # housing fund
        make_slot(city_hall, start + dt.timedelta(days=1), window=window_of(city_hall, "A02")),
    ]


def test_free_slots_for_a_matter_and_day(
    client: Client, passport: ImplementationItem, slots: list[Slot], day: dt.date,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/bookings/slots?item={passport.code}&date={day.isoformat()}")
    assert response.status_code == 200
    body = response.json()
    assert [s["window_number"] for s in body] == ["A01", "B01"]  # not the fund's window
    assert body[1] == {
        "id": slots[0].pk,
        "hall_id": slots[0].hall_id,
        "hall_name": "庆阳市政务服务中心",
        "window_number": "B01",
        "window_name": "公安服务窗口",
        "date": day.isoformat(),
        "starts_at": f"{day.isoformat()}T09:00:00+08:00",
        "ends_at": f"{day.isoformat()}T10:00:00+08:00",
        "capacity": 2,
        "available": 2,
    }
    every_day = client.get(f"/api/bookings/slots?item={passport.code}").json()
    assert len(every_day) == 3


def test_free_slots_refusals_are_the_error_shape(
    client: Client, not_bookable: ImplementationItem
) -> None:
    response = client.get(f"/api/bookings/slots?item={not_bookable.code}")
    assert response.status_code == 400
    assert response.json() == {
        "code": "booking_not_bookable", "message": "该事项暂不支持预约办理", "fields": {},
    }  # fmt: skip
    response = client.get("/api/bookings/slots?item=X&date=tomorrow")
    assert response.status_code == 400
    assert response.json()["fields"] == {"date": ["日期格式应为 YYYY-MM-DD"]}


def test_book_list_and_cancel(
    client: Client, citizen: Person, passport: ImplementationItem, slots: list[Slot]
) -> None:
    auth = token_for(client, citizen)
    response = client.post(
        "/api/bookings/", {"slot_id": slots[0].pk, "item_code": passport.code},
        content_type=JSON, **auth,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    booking = Booking.objects.get(person=citizen)
    assert created["code"] == booking.code
    assert {k: created[k] for k in ("state", "state_label", "item_code", "window_number",
                                     "ticket_code", "cancellable")} == {
        "state": "booked", "state_label": "已预约", "item_code": passport.code,
        "window_number": "B01", "ticket_code": None, "cancellable": True,
    }  # fmt: skip
    mine = client.get("/api/bookings/mine", **auth).json()
    assert [b["code"] for b in mine] == [booking.code]
    response = client.post(f"/api/bookings/{booking.pk}/cancel", **auth)
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["cancellable"]) == ("cancelled", False)
    response = client.post(f"/api/bookings/{booking.pk}/cancel", **auth)
    assert response.status_code == 409
    assert response.json()["code"] == "booking_not_cancellable"


def test_my_bookings_query_count_is_fixed(
    client: Client, citizen: Person, passport: ImplementationItem, slots: list[Slot],
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for slot in (slots[0], slots[1], slots[3]):
        services.booking_create(person=citizen, slot=slot, item=passport)
    auth = token_for(client, citizen)
    with django_assert_max_num_queries(4):
        response = client.get("/api/bookings/mine", **auth)
    assert len(response.json()) == 3


def test_booking_a_full_slot_is_409_and_changes_nothing(
    client: Client, citizen: Person, other_citizen: Person, passport: ImplementationItem,
    slots: list[Slot],
) -> None:  # fmt: skip
    services.booking_create(person=other_citizen, slot=slots[1], item=passport)
    response = client.post(
        "/api/bookings/", {"slot_id": slots[1].pk, "item_code": passport.code},
        content_type=JSON, **token_for(client, citizen),
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json() == {
        "code": "booking_slot_full", "message": "该时段已约满，请选择其他时段", "fields": {},
    }  # fmt: skip
    assert not Booking.objects.filter(person=citizen).exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"slot_id": 999999, "item_code": "X"}, 404, "not_found"),
        ({"item_code": "X"}, 400, "invalid"),
        ({"slot_id": "abc"}, 400, "invalid"),
    ],
)
def test_bad_booking_input(
    client: Client, citizen: Person, slots: list[Slot], body: dict[str, Any], status: int,
    code: str,
) -> None:  # fmt: skip
    response = client.post("/api/bookings/", body, content_type=JSON, **token_for(client, citizen))
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]


def test_a_slot_without_a_matter_needs_one(
    client: Client, citizen: Person, slots: list[Slot]
) -> None:
    response = client.post(
        "/api/bookings/", {"slot_id": slots[0].pk}, content_type=JSON,
        **token_for(client, citizen),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["fields"] == {"item": ["请选择要办理的事项"]}


def test_another_persons_booking_is_not_found(
    client: Client, citizen: Person, other_citizen: Person, passport: ImplementationItem,
    slots: list[Slot],
) -> None:  # fmt: skip
    booking = services.booking_create(person=citizen, slot=slots[0], item=passport)
    response = client.post(f"/api/bookings/{booking.pk}/cancel", **token_for(client, other_citizen))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到该预约", "fields": {}}
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_booking_needs_a_token(client: Client, slots: list[Slot]) -> None:
    response = client.post("/api/bookings/", {"slot_id": slots[0].pk}, content_type=JSON)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.get("/api/bookings/mine").status_code == 401


def test_take_a_ticket_and_read_the_screen(
    client: Client, citizen: Person, xifeng_hall: Hall, officer: Staff
) -> None:
    auth = token_for(client, citizen)
    response = client.post(
        f"/api/bookings/halls/{xifeng_hall.pk}/tickets", {"window_kind": "general"},
        content_type=JSON, **auth,
    )  # fmt: skip
    assert response.status_code == 201
    ticket = response.json()
    assert {k: ticket[k] for k in ("code", "window_kind", "priority", "state", "ahead")} == {
        "code": "A001", "window_kind": "general", "priority": False, "state": "waiting",
        "ahead": 0,
    }  # fmt: skip
    assert QueueTicket.objects.get().person == citizen
    services.ticket_call_next(officer=officer, window=window_of(xifeng_hall, "A02"))
    screen = client.get(f"/api/bookings/halls/{xifeng_hall.pk}/screen").json()
    assert screen["hall_name"] == "西峰区政务服务中心" and screen["waiting"] == 0
    assert screen["latest"]["code"] == "A001" and screen["latest"]["window_number"] == "A02"
    assert [r["code"] for r in screen["recent"]] == ["A001"]
    assert set(screen["latest"]) == {"code", "window_number", "announced_at"}  # nobody's name


def test_ticket_refusals(client: Client, citizen: Person, xifeng_hall: Hall) -> None:
    auth = token_for(client, citizen)
    response = client.post(
        f"/api/bookings/halls/{xifeng_hall.pk}/tickets", {"window_kind": "specialist"},
        content_type=JSON, **auth,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "queue_no_such_service"
    response = client.post(
        "/api/bookings/halls/999999/tickets", {"window_kind": "general"},
        content_type=JSON, **auth,
    )  # fmt: skip
    assert response.status_code == 404
    assert client.get("/api/bookings/halls/999999/screen").status_code == 404


def test_officer_calls_the_next_number_through_the_api(
    client: Client, officer: Staff, xifeng_hall: Hall
) -> None:
    services.ticket_take(hall=xifeng_hall, window_kind="general")
    a01 = window_of(xifeng_hall, "A01")
    assert client.post(f"/api/bookings/windows/{a01.pk}/call-next").status_code == 401
    staff_client(client, officer)
    response = client.post(f"/api/bookings/windows/{a01.pk}/call-next")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["state"], body["window_number"]) == ("A001", "called", "A01")
    response = client.post(f"/api/bookings/windows/{a01.pk}/call-next")
    assert response.status_code == 409 and response.json()["code"] == "queue_window_busy"
    response = client.post(f"/api/bookings/tickets/{body['id']}/finish")
    assert response.status_code == 200 and response.json()["state"] == "done"
    response = client.post(f"/api/bookings/tickets/{body['id']}/explode")
    assert response.status_code == 400


def test_officer_of_another_region_cannot_call_through_the_api(
    client: Client, other_officer: Staff, officer: Staff, xifeng_hall: Hall
) -> None:
    services.ticket_take(hall=xifeng_hall, window_kind="general")
    a01 = window_of(xifeng_hall, "A01")
    staff_client(client, other_officer)
    response = client.post(f"/api/bookings/windows/{a01.pk}/call-next")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到该窗口", "fields": {}}
    assert QueueTicket.objects.get().state == TicketState.WAITING
