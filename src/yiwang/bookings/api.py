"""REST endpoints for bookings and queue tickets, with the rules of the pages.

Free slots and the hall screen are public; booking, cancelling and taking a number need a
person's bearer token; calling numbers needs a window officer's workbench session (password and
second factor). Times are given in Asia/Shanghai (`+08:00`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import APIKeyCookie
from pydantic import Field

from yiwang.accounts.api import BearerToken
from yiwang.accounts.models import ApiToken, Person, Staff
from yiwang.accounts.selectors import person_of
from yiwang.bookings import selectors, services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, QueueTicket, Slot
from yiwang.bookings.rules import local
from yiwang.bookings.states import TicketAction, booking_cancellable
from yiwang.core.audit import actor_label
from yiwang.regions.models import Department
from yiwang.workbench.auth import current_staff

router = Router()


class StaffSession(APIKeyCookie):
    """A workbench session that passed the second factor (CSRF-checked, as the pages are)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Staff | None:
        return current_staff(request)


def _person(request: HttpRequest) -> Person:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    person = person_of(token.user)
    if person is None:
        raise BookingsError("此接口仅供个人用户使用", code=BookingsErrorCode.PERMISSION_DENIED)
    return person


# --- Schemas -----------------------------------------------------------------------------------


class SlotQuery(Schema):
    item: str = Field(max_length=36, description="实施编码")
    date: dt.date | None = Field(None, description="日期；不填则为预约期内的全部日期")
    hall: int | None = Field(None, description="大厅 ID；不填则为该事项的全部办理大厅")


class SlotOut(Schema):
    id: int
    hall_id: int
    hall_name: str
    window_number: str | None
    window_name: str | None
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    available: int


class BookingIn(Schema):
    slot_id: int
    item_code: str | None = Field(None, max_length=36, description="时段不限事项时必填")


class BookingOut(Schema):
    id: int
    code: str = Field(description="预约码，到大厅签到时使用")
    state: str
    state_label: str
    item_code: str | None
    item_name: str | None
    hall_id: int
    hall_name: str
    window_number: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    ticket_code: str | None
    cancellable: bool


class TicketIn(Schema):
    window_kind: str | None = Field(
        None, description="general / specialist / delivery / consultation"
    )
    department_id: int | None = Field(None, description="专业窗口的部门 ID")
    item_code: str | None = Field(None, max_length=36, description="按事项取号时的实施编码")


class TicketOut(Schema):
    id: int
    code: str
    hall_id: int
    window_kind: str
    priority: bool
    state: str
    state_label: str
    taken_at: dt.datetime
    ahead: int = Field(description="前面等候人数")
    window_number: str | None


class ScreenRowOut(Schema):
    code: str
    window_number: str
    announced_at: dt.datetime


class ScreenOut(Schema):
    hall_id: int
    hall_name: str
    latest: ScreenRowOut | None
    recent: list[ScreenRowOut]
    waiting: int


def _slot_out(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "hall_id": slot.hall_id,
        "hall_name": slot.hall.name,
        "window_number": slot.window.number if slot.window else None,
        "window_name": slot.window.name if slot.window else None,
        "date": slot.date,
        "starts_at": local(slot.starts_at),
        "ends_at": local(slot.ends_at),
        "capacity": slot.capacity,
        "available": slot.available,
    }


def _booking_out(booking: Booking, now: dt.datetime) -> dict[str, Any]:
    slot = booking.slot
    return {
        "id": booking.pk,
        "code": booking.code,
        "state": booking.state,
        "state_label": booking.get_state_display(),
        "item_code": booking.item.code if booking.item else None,
        "item_name": booking.item.name if booking.item else None,
        "hall_id": slot.hall_id,
        "hall_name": slot.hall.name,
        "window_number": slot.window.number if slot.window else None,
        "starts_at": local(slot.starts_at),
        "ends_at": local(slot.ends_at),
        "ticket_code": booking.ticket.code if booking.ticket else None,
        "cancellable": booking_cancellable(booking, now=now),
    }


def _ticket_out(ticket: QueueTicket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "code": ticket.code,
        "hall_id": ticket.hall_id,
        "window_kind": ticket.window_kind,
        "priority": ticket.priority,
        "state": ticket.state,
        "state_label": ticket.get_state_display(),
        "taken_at": local(ticket.taken_at),
        "ahead": selectors.tickets_ahead(ticket=ticket),
        "window_number": ticket.window.number if ticket.window else None,
    }


# --- Slots and bookings ------------------------------------------------------------------------


@router.get("/slots", response=list[SlotOut], summary="可预约时段")
def slots_free(request: HttpRequest, query: Query[SlotQuery]) -> list[dict[str, Any]]:
    item = selectors.bookable_item_get(code=query.item)
    hall = selectors.hall_get_public(hall_id=query.hall) if query.hall else None
    slots = selectors.slots_free_for_item(item=item, now=timezone.now(), hall=hall, date=query.date)
    return [_slot_out(slot) for slot in slots[:500]]


@router.post("/", response={201: BookingOut}, auth=BearerToken(), summary="预约")
def booking_create(request: HttpRequest, body: BookingIn) -> Status:
    person = _person(request)
    slot = selectors.slot_get_public(slot_id=body.slot_id)
    item = selectors.bookable_item_get(code=body.item_code) if body.item_code else None
    booking = services.booking_create(person=person, slot=slot, item=item)
    booking = selectors.booking_get_for_person(person=person, booking_id=booking.pk)
    return Status(201, _booking_out(booking, timezone.now()))


@router.get("/mine", response=list[BookingOut], auth=BearerToken(), summary="我的预约")
def bookings_mine(request: HttpRequest) -> list[dict[str, Any]]:
    person = _person(request)
    now = timezone.now()
    return [_booking_out(b, now) for b in selectors.bookings_of_person(person=person)[:100]]


@router.post("/{booking_id}/cancel", response=BookingOut, auth=BearerToken(), summary="取消预约")
def booking_cancel(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    person = _person(request)
    booking = selectors.booking_get_for_person(person=person, booking_id=booking_id)
    services.booking_cancel(booking=booking, person=person)
    booking = selectors.booking_get_for_person(person=person, booking_id=booking_id)
    return _booking_out(booking, timezone.now())


# --- The hall queue ----------------------------------------------------------------------------


@router.post(
    "/halls/{hall_id}/tickets", response={201: TicketOut}, auth=BearerToken(), summary="取号"
)
def ticket_take(request: HttpRequest, hall_id: int, body: TicketIn) -> Status:
    person = _person(request)
    hall = selectors.hall_get_public(hall_id=hall_id)
    item = selectors.item_for_ticket(code=body.item_code) if body.item_code else None
    department = None
    if body.department_id is not None:
        department = Department.objects.filter(pk=body.department_id).first()
    ticket = services.ticket_take(
        hall=hall,
        window_kind=body.window_kind,
        department=department,
        item=item,
        person=person,
        actor=actor_label(person.user),
    )
    return Status(201, _ticket_out(ticket))


@router.get("/halls/{hall_id}/screen", response=ScreenOut, summary="大厅叫号屏")
def hall_screen(request: HttpRequest, hall_id: int) -> dict[str, Any]:
    hall = selectors.hall_get_public(hall_id=hall_id)
    screen = selectors.hall_screen(hall=hall, today=local(timezone.now()).date())

    def row(r: selectors.ScreenRow) -> dict[str, Any]:
        return {"code": r.code, "window_number": r.window_number,
                "announced_at": local(r.announced_at)}  # fmt: skip

    return {
        "hall_id": hall.pk,
        "hall_name": hall.name,
        "latest": row(screen.latest) if screen.latest else None,
        "recent": [row(r) for r in screen.recent],
        "waiting": screen.waiting,
    }


@router.post(
    "/windows/{window_id}/call-next",
    response=TicketOut,
    auth=StaffSession(),
    summary="叫下一号（窗口人员）",
)
def ticket_call_next(request: HttpRequest, window_id: int) -> dict[str, Any]:
    staff: Staff = request.auth  # type: ignore[attr-defined]
    window = selectors.window_get_for_officer(staff=staff, window_id=window_id)
    return _ticket_out(services.ticket_call_next(officer=staff, window=window))


@router.post(
    "/tickets/{ticket_id}/{action}",
    response=TicketOut,
    auth=StaffSession(),
    summary="重呼、过号、办结（窗口人员）",
)
def ticket_move(request: HttpRequest, ticket_id: int, action: TicketAction) -> dict[str, Any]:
    staff: Staff = request.auth  # type: ignore[attr-defined]
    ticket = selectors.ticket_get_for_officer(staff=staff, ticket_id=ticket_id)
    moves = {
        TicketAction.RECALL: services.ticket_recall,
        TicketAction.SKIP: services.ticket_skip,
        TicketAction.FINISH: services.ticket_finish,
    }
    return _ticket_out(moves[action](officer=staff, ticket=ticket))
