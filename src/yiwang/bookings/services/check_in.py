"""Checking a booking in at its hall (签到), at the kiosk or by an officer: the booking gets a
priority ticket in the hall queue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import Staff
from yiwang.bookings import rules
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, BookingState, EventAction, QueueTicket, Slot
from yiwang.bookings.services._common import KIOSK_ACTOR, _event, _locked
from yiwang.bookings.services.queue import _queue_for, _require_officer_at_hall, _ticket_issue
from yiwang.bookings.states import booking_transition_check
from yiwang.catalog.models import ImplementationItem
from yiwang.core.audit import audit_record
from yiwang.regions.models import Hall, Window


def booking_check_in(
    *,
    code: str,
    hall: Hall,
    actor: str = KIOSK_ACTOR,
    officer: Staff | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """Check a booking in at its hall (kiosk, or an officer at the hall) and give it a priority
    ticket; only on the slot's day, from 30 minutes before it starts until it ends.

    Entering the code of a booking already checked in shows its ticket again.
    """
    now = now or timezone.now()
    normalized = rules.booking_code_normalize(code)
    found = Booking.objects.filter(code=normalized).first() if normalized else None
    if found is None:
        raise BookingsError(
            "未找到该预约码，请核对后重新输入", code=BookingsErrorCode.NOT_FOUND, field="code"
        )
    if officer is not None:
        _require_officer_at_hall(officer, hall)
    with transaction.atomic():
        booking = _locked(Booking.objects.filter(pk=found.pk)).get()
        slot = Slot.objects.select_related("hall", "window").get(pk=booking.slot_id)
        if slot.hall_id != hall.pk:
            raise BookingsError(
                f"该预约在{slot.hall.name}办理，请到该大厅签到",
                code=BookingsErrorCode.WRONG_HALL,
                field="code",
            )
        if booking.state == BookingState.CHECKED_IN and booking.ticket_id is not None:
            return QueueTicket.objects.get(pk=booking.ticket_id)
        booking_transition_check(booking, BookingState.CHECKED_IN)
        refusal = rules.check_in_refusal(starts_at=slot.starts_at, ends_at=slot.ends_at, now=now)
        if refusal:
            raise BookingsError(refusal, code=BookingsErrorCode.CHECK_IN_CLOSED, field="code")
        item = ImplementationItem.objects.get(pk=booking.item_id) if booking.item_id else None
        if slot.window is not None:
            kind = slot.window.kind
            department_id = slot.window.department_id if kind == Window.Kind.SPECIALIST else None
        elif item is not None:
            kind, department_id = _queue_for(hall=hall, item=item)
        else:
            kind, department_id = Window.Kind.GENERAL, None
        ticket = _ticket_issue(
            hall=hall,
            window_kind=kind,
            department_id=department_id,
            item=item,
            person_id=booking.person_id,
            priority=True,
            actor=actor,
            now=now,
        )
        booking.state, booking.checked_in_at, booking.ticket = BookingState.CHECKED_IN, now, ticket
        booking.save(update_fields=["state", "checked_in_at", "ticket"])
        _event(action=EventAction.CHECKED_IN, actor=actor, at=now, booking=booking, ticket=ticket)
        if officer is not None:
            audit_record(
                actor=actor,
                action="bookings.checked_in_by_staff",
                object_type="bookings.booking",
                object_id=booking.pk,
                detail={"hall": hall.pk, "ticket": ticket.code},
            )
    return ticket
