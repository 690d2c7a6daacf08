"""The hall queue: taking numbers, calling them in order, recall, skip, finish, waiting time,
and who may call at which window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from yiwang.accounts.models import Person, Staff
from yiwang.bookings import selectors, services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import BookingEvent, QueueTicket, TicketState
from yiwang.bookings.tests.conftest import at, make_slot, window_of
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Department, Hall

pytestmark = pytest.mark.django_db

DAY = dt.date(2030, 3, 5)
T0 = at(DAY, 9, 0)


def _refused(code: BookingsErrorCode, match: str | None = None) -> Any:
    return pytest.raises(BookingsError, match=match, check=lambda e: e.code == code)


def _take(hall: Hall, minutes: float, **kwargs: Any) -> QueueTicket:
    return services.ticket_take(hall=hall, now=T0 + dt.timedelta(minutes=minutes), **kwargs)


def _market(hall: Hall) -> Department:
    window = window_of(hall, "B02")
    assert window.department is not None
    return window.department


# --- Taking numbers ----------------------------------------------------------------------------


def test_numbers_count_per_prefix_and_start_again_each_day(xifeng_hall: Hall) -> None:
    market = _market(xifeng_hall)
    codes = [
        _take(xifeng_hall, 0, window_kind="general").code,
        _take(xifeng_hall, 1, window_kind="general").code,
        _take(xifeng_hall, 2, window_kind="specialist", department=market).code,
        _take(xifeng_hall, 3, window_kind="delivery").code,
        _take(xifeng_hall, 4, window_kind="consultation").code,
        _take(xifeng_hall, 24 * 60, window_kind="general").code,  # the next day
    ]
    assert codes == ["A001", "A002", "B001", "C001", "D001", "A001"]
    assert BookingEvent.objects.filter(action="taken", actor="kiosk").count() == 6


def test_a_matter_goes_to_its_departments_window_or_to_the_general_ones(
    xifeng_hall: Hall, business_licence: ImplementationItem, city_hall: Hall,
    not_bookable: ImplementationItem,
) -> None:  # fmt: skip
    ticket = _take(xifeng_hall, 0, item=business_licence)
    assert (ticket.code, ticket.window_kind) == ("B001", "specialist")
    assert ticket.department_id == business_licence.department_id
    # The city hall has a housing-fund window; take the fund's matter there (not bookable is
    # fine for a number).
    assert _take(city_hall, 0, item=not_bookable).department_id == not_bookable.department_id
    with _refused(BookingsErrorCode.WRONG_HALL, match="本大厅不办理该事项"):
        _take(city_hall, 1, item=business_licence)


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({}, BookingsErrorCode.INVALID, "请选择取号业务"),
        ({"window_kind": "vip"}, BookingsErrorCode.INVALID, "请选择取号业务"),
        ({"window_kind": "specialist"}, BookingsErrorCode.NO_SUCH_SERVICE, "专业窗口"),
    ],
)
def test_taking_a_number_for_nothing_is_refused(
    xifeng_hall: Hall, kwargs: dict[str, Any], code: BookingsErrorCode, message: str
) -> None:
    with _refused(code, match=message):
        _take(xifeng_hall, 0, **kwargs)
    assert not QueueTicket.objects.exists()


def test_a_hall_without_that_kind_of_window_refuses(regions: None) -> None:
    township = Hall.objects.filter(level="township", name__endswith="乡便民服务中心").first()
    assert township is not None  # a 乡 centre has no consultation window
    with _refused(BookingsErrorCode.NO_SUCH_SERVICE, match="本大厅没有该类窗口"):
        _take(township, 0, window_kind="consultation")


def test_tickets_ahead_counts_the_same_queue_only(xifeng_hall: Hall) -> None:
    first = _take(xifeng_hall, 0, window_kind="general")
    _take(xifeng_hall, 1, window_kind="delivery")
    third = _take(xifeng_hall, 2, window_kind="general")
    assert selectors.tickets_ahead(ticket=first) == 0
    assert selectors.tickets_ahead(ticket=third) == 1


# --- Calling -----------------------------------------------------------------------------------


def test_booked_tickets_are_called_first_then_in_the_order_taken(
    xifeng_hall: Hall, officer: Staff, citizen: Person, business_licence: ImplementationItem
) -> None:
    a01 = window_of(xifeng_hall, "A01")
    slot = make_slot(xifeng_hall, at(DAY, 9, 30), window=a01)
    booking = services.booking_create(
        person=citizen, slot=slot, item=business_licence, now=T0 - dt.timedelta(days=1)
    )
    _take(xifeng_hall, 0, window_kind="general")
    _take(xifeng_hall, 1, window_kind="general")
    booked = services.booking_check_in(
        code=booking.code, hall=xifeng_hall, now=T0 + dt.timedelta(minutes=2)
    )
    called = []
    for minute in (10, 20, 30):
        ticket = services.ticket_call_next(
            officer=officer, window=a01, now=T0 + dt.timedelta(minutes=minute)
        )
        called.append(ticket.code)
        services.ticket_finish(officer=officer, ticket=ticket, now=ticket.called_at)
    assert called == [booked.code, "A001", "A002"] == ["Y001", "A001", "A002"]


def test_a_window_calls_only_the_tickets_it_serves(
    xifeng_hall: Hall, officer: Staff, regions: None
) -> None:
    police = window_of(xifeng_hall, "B01").department
    _take(xifeng_hall, 0, window_kind="specialist", department=police)
    _take(xifeng_hall, 1, window_kind="general")
    market_window = window_of(xifeng_hall, "B02")
    with _refused(BookingsErrorCode.QUEUE_EMPTY, match="当前没有等候的号码"):
        services.ticket_call_next(officer=officer, window=market_window, now=T0)
    ticket = services.ticket_call_next(
        officer=officer, window=window_of(xifeng_hall, "A02"), now=T0
    )
    assert ticket.code == "A001"


def test_yesterdays_tickets_are_not_called_today(xifeng_hall: Hall, officer: Staff) -> None:
    _take(xifeng_hall, -24 * 60, window_kind="general")
    with _refused(BookingsErrorCode.QUEUE_EMPTY):
        services.ticket_call_next(officer=officer, window=window_of(xifeng_hall, "A01"), now=T0)


def test_a_window_finishes_its_ticket_before_calling_the_next(
    xifeng_hall: Hall, officer: Staff
) -> None:
    a01 = window_of(xifeng_hall, "A01")
    _take(xifeng_hall, 0, window_kind="general")
    _take(xifeng_hall, 1, window_kind="general")
    first = services.ticket_call_next(officer=officer, window=a01, now=T0)
    with _refused(BookingsErrorCode.WINDOW_BUSY, match="请先办结或过号当前号码 A001"):
        services.ticket_call_next(officer=officer, window=a01, now=T0)
    # Another window takes the next one meanwhile.
    assert services.ticket_call_next(officer=officer, window=window_of(xifeng_hall, "A02"),
                                     now=T0).code == "A002"  # fmt: skip
    assert first.state == TicketState.CALLED


def test_waiting_time_is_recorded_at_the_first_call(xifeng_hall: Hall, officer: Staff) -> None:
    a01 = window_of(xifeng_hall, "A01")
    _take(xifeng_hall, 0, window_kind="general")
    _take(xifeng_hall, 2, window_kind="general")
    first = services.ticket_call_next(officer=officer, window=a01, now=T0 + dt.timedelta(minutes=7))
    assert first.wait_seconds == 420 and first.called_by == officer and first.window == a01
    services.ticket_recall(officer=officer, ticket=first, now=T0 + dt.timedelta(minutes=9))
    first.refresh_from_db()
    assert first.wait_seconds == 420  # a recall does not change the waiting time
    services.ticket_finish(officer=officer, ticket=first, now=T0 + dt.timedelta(minutes=15))
    second = services.ticket_call_next(
        officer=officer, window=a01, now=T0 + dt.timedelta(minutes=16)
    )
    assert second.wait_seconds == 14 * 60
    stats = selectors.wait_stats(hall=xifeng_hall, date=DAY)
    assert (stats.called, stats.average_seconds) == (2, (420 + 840) // 2)
    assert selectors.wait_stats(hall=xifeng_hall, date=DAY + dt.timedelta(days=1)).called == 0


def test_recall_skip_and_finish(xifeng_hall: Hall, officer: Staff) -> None:
    a01 = window_of(xifeng_hall, "A01")
    _take(xifeng_hall, 0, window_kind="general")
    _take(xifeng_hall, 1, window_kind="general")
    ticket = services.ticket_call_next(officer=officer, window=a01, now=T0)
    later = T0 + dt.timedelta(minutes=2)
    recalled = services.ticket_recall(officer=officer, ticket=ticket, now=later)
    assert (recalled.call_count, recalled.called_at, recalled.announced_at) == (2, T0, later)
    skipped = services.ticket_skip(officer=officer, ticket=ticket, now=later)
    assert (skipped.state, skipped.finished_at) == (TicketState.SKIPPED, later)
    with _refused(BookingsErrorCode.TICKET_STATE, match="A001 已过号，不能执行此操作"):
        services.ticket_finish(officer=officer, ticket=ticket, now=later)
    with _refused(BookingsErrorCode.TICKET_STATE):
        services.ticket_recall(officer=officer, ticket=ticket, now=later)
    following = services.ticket_call_next(officer=officer, window=a01, now=later)
    done = services.ticket_finish(officer=officer, ticket=following, now=later)
    assert (following.code, done.state) == ("A002", TicketState.DONE)
    actions = list(BookingEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["taken", "called", "recalled", "skipped"]
    assert BookingEvent.objects.get(ticket=ticket, action="called").detail == {"window": "A01"}


def test_hall_screen_shows_the_last_calls_without_persons(
    xifeng_hall: Hall, officer: Staff, citizen: Person
) -> None:
    _take(xifeng_hall, 0, window_kind="general", person=citizen)
    _take(xifeng_hall, 1, window_kind="general")
    _take(xifeng_hall, 2, window_kind="general")
    a01, a02 = window_of(xifeng_hall, "A01"), window_of(xifeng_hall, "A02")
    services.ticket_call_next(officer=officer, window=a01, now=T0 + dt.timedelta(minutes=5))
    services.ticket_call_next(officer=officer, window=a02, now=T0 + dt.timedelta(minutes=6))
    screen = selectors.hall_screen(hall=xifeng_hall, today=DAY)
    assert screen.latest is not None
    assert (screen.latest.code, screen.latest.window_number) == ("A002", "A02")
    assert [(r.code, r.window_number) for r in screen.recent] == [("A002", "A02"), ("A001", "A01")]
    assert screen.waiting == 1


# --- Who may call ------------------------------------------------------------------------------


def test_officers_windows(xifeng_hall: Hall, officer: Staff, other_officer: Staff,
                          colleague: Staff) -> None:  # fmt: skip
    mine = {(w.hall_id, w.number) for w in selectors.windows_for_officer(staff=officer)}
    # 西峰区 market regulation: its own B02 and the windows of no department in 西峰区's hall.
    assert mine == {(xifeng_hall.pk, n) for n in ("A01", "A02", "A03", "A04", "B02", "C01", "D01")}
    assert not selectors.windows_for_officer(staff=colleague).exists()  # a reviewer, no window
    theirs = {w.hall_id for w in selectors.windows_for_officer(staff=other_officer)}
    assert xifeng_hall.pk not in theirs


@pytest.mark.parametrize(
    ("who", "window_number"),
    [
        ("other_officer", "A01"),  # 庆城县 public security at a 西峰区 general window
        ("other_officer", "B01"),  # … at 西峰区's police window: another region's department
        ("officer", "B01"),  # 西峰区 market regulation at the police window of the same hall
        ("colleague", "B02"),  # the right department, but no window-officer role
    ],
)
def test_calling_at_a_window_one_does_not_serve_is_refused(
    request: pytest.FixtureRequest, xifeng_hall: Hall, who: str, window_number: str
) -> None:
    staff: Staff = request.getfixturevalue(who)
    window = window_of(xifeng_hall, window_number)
    _take(xifeng_hall, 0, window_kind=window.kind, department=window.department)
    with _refused(BookingsErrorCode.PERMISSION_DENIED, match="您不能在该窗口叫号"):
        services.ticket_call_next(officer=staff, window=window, now=T0)
    assert QueueTicket.objects.get().state == TicketState.WAITING


def test_only_an_officer_of_the_window_moves_its_ticket(
    xifeng_hall: Hall, officer: Staff, other_officer: Staff
) -> None:
    _take(xifeng_hall, 0, window_kind="general")
    ticket = services.ticket_call_next(officer=officer, window=window_of(xifeng_hall, "A01"),
                                       now=T0)  # fmt: skip
    for move in (services.ticket_finish, services.ticket_skip, services.ticket_recall):
        with _refused(BookingsErrorCode.PERMISSION_DENIED):
            move(officer=other_officer, ticket=ticket, now=T0)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CALLED and ticket.call_count == 1
    with _refused(BookingsErrorCode.NOT_FOUND):
        selectors.ticket_get_for_officer(staff=other_officer, ticket_id=ticket.pk)


def test_staff_check_in_needs_an_officer_of_the_hall(
    xifeng_hall: Hall, officer: Staff, other_officer: Staff, citizen: Person,
    business_licence: ImplementationItem,
) -> None:  # fmt: skip
    slot = make_slot(xifeng_hall, at(DAY, 9, 30), window=window_of(xifeng_hall, "B02"))
    booking = services.booking_create(
        person=citizen, slot=slot, item=business_licence, now=T0 - dt.timedelta(days=1)
    )
    with _refused(BookingsErrorCode.PERMISSION_DENIED, match="您不是该大厅的窗口人员"):
        services.booking_check_in(
            code=booking.code, hall=xifeng_hall, actor="x", officer=other_officer, now=T0
        )
    ticket = services.booking_check_in(
        code=booking.code, hall=xifeng_hall, actor="user:1:officer", officer=officer, now=T0
    )
    assert (ticket.code, ticket.department_id) == ("Y001", business_licence.department_id)
