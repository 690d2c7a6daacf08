"""The pages: booking, my bookings, the kiosk, the hall screen and the officer's queue page,
with their permissions (another's booking or window is "not found")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.bookings import services
from yiwang.bookings.models import Booking, BookingState, QueueTicket, Slot, TicketState
from yiwang.bookings.tests.conftest import make_slot, staff_client, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Hall

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon_slot(city_hall: Hall, passport: ImplementationItem) -> Slot:
    """A slot at the city hall's police window starting in 2 days at 9:00 (real clock)."""
    day = timezone.localdate() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_default_timezone())
    return make_slot(city_hall, start, window=window_of(city_hall, "B01"), capacity=3)


def _login(client: Client, person: Person) -> Client:
    client.force_login(person.user)
    return client


# --- Citizens ----------------------------------------------------------------------------------


def test_booking_page_needs_a_login(client: Client, passport: ImplementationItem) -> None:
    response = client.get(f"/bookings/new/?item={passport.code}")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/bookings/new/")


def test_book_a_slot_and_see_it_in_my_bookings(
    client: Client, citizen: Person, passport: ImplementationItem, soon_slot: Slot
) -> None:
    _login(client, citizen)
    page = client.get(f"/bookings/new/?item={passport.code}").content.decode()
    assert "庆阳市政务服务中心" in page and "B01 公安服务窗口" in page and "09:00—10:00" in page
    response = client.post(f"/bookings/new/?item={passport.code}", {"slot": soon_slot.pk})
    assert response.status_code == 302 and response["Location"] == "/bookings/mine/"
    booking = Booking.objects.get(person=citizen)
    mine = client.get("/bookings/mine/").content.decode()
    assert f"预约成功，预约码 {booking.code}" in mine
    assert booking.code in mine and "普通护照签发" in mine and "已预约" in mine
    assert "取消预约" in mine


def test_a_full_slot_says_so_and_books_nothing(
    client: Client, citizen: Person, people: list[Person], passport: ImplementationItem,
    soon_slot: Slot,
) -> None:  # fmt: skip
    for person in people[:3]:
        services.booking_create(person=person, slot=soon_slot, item=passport)
    _login(client, citizen)
    response = client.post(f"/bookings/new/?item={passport.code}", {"slot": soon_slot.pk})
    assert response.status_code == 409
    assert "该时段已约满，请选择其他时段" in response.content.decode()
    assert not Booking.objects.filter(person=citizen).exists()


@pytest.mark.parametrize("slot_value", ["", "abc", "999999"])
def test_a_bad_slot_is_refused(
    client: Client, citizen: Person, passport: ImplementationItem, slot_value: str
) -> None:
    _login(client, citizen)
    response = client.post(f"/bookings/new/?item={passport.code}", {"slot": slot_value})
    assert response.status_code == 404
    assert "未找到该预约时段" in response.content.decode()


def test_a_matter_that_is_not_bookable_has_no_booking_page(
    client: Client, citizen: Person, not_bookable: ImplementationItem
) -> None:
    _login(client, citizen)
    response = client.get(f"/bookings/new/?item={not_bookable.code}")
    assert response.status_code == 400
    assert "该事项暂不支持预约办理" in response.content.decode()
    assert client.get("/bookings/new/?item=NOPE").status_code == 404


def test_staff_cannot_book(client: Client, officer: Staff, passport: ImplementationItem) -> None:
    client.force_login(officer.user)
    response = client.get(f"/bookings/new/?item={passport.code}")
    assert response.status_code == 403
    assert "此页面仅供个人用户使用" in response.content.decode()


def test_cancel_my_booking(
    client: Client, citizen: Person, passport: ImplementationItem, soon_slot: Slot
) -> None:
    booking = services.booking_create(person=citizen, slot=soon_slot, item=passport)
    _login(client, citizen)
    response = client.post(f"/bookings/{booking.pk}/cancel/", follow=True)
    assert f"已取消预约 {booking.code}" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_a_citizen_cannot_cancel_anothers_booking(
    client: Client, citizen: Person, other_citizen: Person, passport: ImplementationItem,
    soon_slot: Slot,
) -> None:  # fmt: skip
    booking = services.booking_create(person=citizen, slot=soon_slot, item=passport)
    _login(client, other_citizen)
    response = client.post(f"/bookings/{booking.pk}/cancel/")
    assert response.status_code == 404
    assert "未找到该预约" in response.content.decode()
    assert booking.code not in client.get("/bookings/mine/").content.decode()
    booking.refresh_from_db()
    soon_slot.refresh_from_db()
    assert booking.state == BookingState.BOOKED and soon_slot.booked_count == 1


# --- Kiosk and screen --------------------------------------------------------------------------


def test_kiosk_gives_a_number_for_a_kind_of_window(client: Client, xifeng_hall: Hall) -> None:
    page = client.get(f"/bookings/hall/{xifeng_hall.pk}/take/").content.decode()
    assert "综合受理" in page and "企业开办" in page and "凭预约码签到" in page
    market = window_of(xifeng_hall, "B02").department_id
    response = client.post(
        f"/bookings/hall/{xifeng_hall.pk}/take/",
        {"action": "take", "service": f"specialist:{market}"},
        follow=True,
    )
    html = response.content.decode()
    assert 'id="ticket-code">B001<' in html and "前面等候" in html
    ticket = QueueTicket.objects.get()
    assert (ticket.department_id, ticket.person) == (market, None)


def test_kiosk_checks_a_booking_in_by_code(
    client: Client, citizen: Person, city_hall: Hall, passport: ImplementationItem
) -> None:
    start = timezone.now() + dt.timedelta(minutes=10)
    if timezone.localtime(start).date() != timezone.localdate():
        pytest.skip("the slot would start after midnight")
    slot = make_slot(city_hall, start, window=window_of(city_hall, "A01"))
    booking = services.booking_create(person=citizen, slot=slot, item=passport)
    response = client.post(
        f"/bookings/hall/{city_hall.pk}/take/",
        {"action": "check_in", "code": booking.code},
        follow=True,
    )
    html = response.content.decode()
    assert 'id="ticket-code">Y001<' in html and "预约优先" in html
    assert citizen.name not in html


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"action": "check_in", "code": "NOPE2345"}, 404, "未找到该预约码"),
        ({"action": "take", "service": "vip"}, 400, "请选择取号业务"),
        ({"action": "take", "service": "specialist:999999"}, 400, "本大厅没有该部门的专业窗口"),
        ({"action": "take", "item": "NOPE"}, 404, "未找到该事项"),
    ],
)
def test_kiosk_refuses_bad_input(
    client: Client, xifeng_hall: Hall, data: dict[str, str], status: int, message: str
) -> None:
    response = client.post(f"/bookings/hall/{xifeng_hall.pk}/take/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not QueueTicket.objects.exists()


def test_wrong_codes_are_limited_per_address(
    client: Client, citizen: Person, city_hall: Hall, passport: ImplementationItem, settings: Any
) -> None:
    settings.BOOKINGS_CHECK_IN_FAILURE_LIMIT = 3
    start = timezone.now() + dt.timedelta(minutes=10)
    if timezone.localtime(start).date() != timezone.localdate():
        pytest.skip("the slot would start after midnight")
    slot = make_slot(city_hall, start, window=window_of(city_hall, "A01"))
    booking = services.booking_create(person=citizen, slot=slot, item=passport)
    url = f"/bookings/hall/{city_hall.pk}/take/"
    for _ in range(3):
        assert client.post(url, {"action": "check_in", "code": "NOPE2345"}).status_code == 404
    locked = client.post(url, {"action": "check_in", "code": booking.code})
    assert locked.status_code == 429 and "错误次数过多" in locked.content.decode()
    assert not QueueTicket.objects.exists()  # even the right code waits
    other = Client(REMOTE_ADDR="10.0.0.2")  # another kiosk is not affected
    assert other.post(url, {"action": "check_in", "code": booking.code}).status_code == 302
    assert QueueTicket.objects.count() == 1


def test_a_forged_ticket_link_is_refused(client: Client, xifeng_hall: Hall) -> None:
    ticket = services.ticket_take(hall=xifeng_hall, window_kind="general")
    response = client.get(f"/bookings/hall/{xifeng_hall.pk}/ticket/{ticket.pk}/")
    assert response.status_code == 404
    assert client.get("/bookings/hall/999999/take/").status_code == 404


def test_screen_shows_called_numbers_and_windows_only(
    client: Client, xifeng_hall: Hall, officer: Staff, citizen: Person
) -> None:
    services.ticket_take(hall=xifeng_hall, window_kind="general", person=citizen)
    services.ticket_take(hall=xifeng_hall, window_kind="general")
    services.ticket_call_next(officer=officer, window=window_of(xifeng_hall, "A03"))
    html = client.get(f"/bookings/hall/{xifeng_hall.pk}/screen/").content.decode()
    assert 'http-equiv="refresh"' in html
    assert '<span id="latest-code">A001</span>' in html
    assert '<span id="latest-window">A03</span>' in html
    assert 'id="waiting">1<' in html
    assert citizen.name not in html and citizen.phone not in html


# --- The officer's queue page ------------------------------------------------------------------


def test_officer_calls_recalls_and_finishes_from_the_page(
    client: Client, officer: Staff, xifeng_hall: Hall
) -> None:
    services.ticket_take(hall=xifeng_hall, window_kind="general")
    a01 = window_of(xifeng_hall, "A01")
    staff_client(client, officer)
    page = client.get("/bookings/staff/queue/").content.decode()
    assert "西峰区政务服务中心 A01 综合受理窗口" in page
    assert "西峰区政务服务中心 B01" not in page  # the police window is not theirs
    page = client.get(f"/bookings/staff/queue/?window={a01.pk}").content.decode()
    assert 'id="waiting-count">1 人' in page
    response = client.post(f"/bookings/staff/queue/{a01.pk}/call/", follow=True)
    assert "请 A001 号到 A01 窗口办理" in response.content.decode()
    ticket = QueueTicket.objects.get()
    client.post(f"/bookings/staff/tickets/{ticket.pk}/recall/")
    response = client.post(f"/bookings/staff/tickets/{ticket.pk}/finish/", follow=True)
    assert "A001：办结" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.state, ticket.call_count) == (TicketState.DONE, 2)
    response = client.post(f"/bookings/staff/queue/{a01.pk}/call/")
    assert response.status_code == 409 and "当前没有等候的号码" in response.content.decode()
    assert client.post(f"/bookings/staff/tickets/{ticket.pk}/explode/").status_code == 404


def test_another_officers_window_is_not_found(
    client: Client, other_officer: Staff, xifeng_hall: Hall, officer: Staff
) -> None:
    services.ticket_take(hall=xifeng_hall, window_kind="general")
    a01 = window_of(xifeng_hall, "A01")
    ticket = services.ticket_call_next(officer=officer, window=a01)
    staff_client(client, other_officer)
    assert client.get(f"/bookings/staff/queue/?window={a01.pk}").status_code == 404
    assert client.get("/bookings/staff/queue/?window=x").status_code == 404
    assert client.post(f"/bookings/staff/queue/{a01.pk}/call/").status_code == 404
    assert client.post(f"/bookings/staff/tickets/{ticket.pk}/finish/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CALLED


def test_queue_page_needs_the_window_officer_role_and_a_second_factor(
    client: Client, colleague: Staff, officer: Staff
) -> None:
    client.force_login(officer.user)  # password only
    response = client.get("/bookings/staff/queue/")
    assert response.status_code == 302 and response["Location"].startswith("/workbench/login/")
    staff_client(client, colleague)
    response = client.get("/bookings/staff/queue/")
    assert response.status_code == 403 and "窗口人员" in response.content.decode()


def test_officer_checks_a_booking_in(
    client: Client, officer: Staff, citizen: Person, xifeng_hall: Hall,
    business_licence: ImplementationItem,
) -> None:  # fmt: skip
    start = timezone.now() + dt.timedelta(minutes=10)
    if timezone.localtime(start).date() != timezone.localdate():
        pytest.skip("the slot would start after midnight")
    b02 = window_of(xifeng_hall, "B02")
    slot = make_slot(xifeng_hall, start, window=b02)
    booking = services.booking_create(person=citizen, slot=slot, item=business_licence)
    staff_client(client, officer)
    response = client.post(f"/bookings/staff/queue/{b02.pk}/check-in/", {"code": "WRONG234"})
    assert response.status_code == 404 and "未找到该预约码" in response.content.decode()
    response = client.post(
        f"/bookings/staff/queue/{b02.pk}/check-in/", {"code": booking.code}, follow=True
    )
    assert "签到成功，排队号 Y001" in response.content.decode()
