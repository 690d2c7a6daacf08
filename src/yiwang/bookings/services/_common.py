"""What the booking services share: the kiosk's actor name, the row lock, the event row, and the
booking SMS (queued quietly: a refused phone number does not undo the write)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import QuerySet

from yiwang.bookings import rules
from yiwang.bookings.models import Booking, BookingEvent, EventAction, QueueTicket
from yiwang.core.errors import YiwangError
from yiwang.notify.errors import NotifyErrorCode
from yiwang.notify.services import sms_send
from yiwang.regions.models import Hall

# The package's name, as when the services were one module (the name shows in the logs).
logger = logging.getLogger(__package__)

KIOSK_ACTOR = "kiosk"
SMS_CATEGORY = "booking"

M = TypeVar("M", bound=models.Model)


def _locked(rows: QuerySet[M], *, skip_locked: bool = False) -> QuerySet[M]:
    """`SELECT … FOR UPDATE OF <this table>` (SQLite serialises writers and ignores it)."""
    if skip_locked and connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True, of=("self",))
    return rows.select_for_update(of=("self",))


def _event(
    *,
    action: EventAction,
    actor: str,
    at: dt.datetime,
    booking: Booking | None = None,
    ticket: QueueTicket | None = None,
    **detail: Any,
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking, ticket=ticket, action=action, actor=actor, at=at, detail=detail
    )


def _sms_params(booking: Booking, hall: Hall) -> dict[str, str]:
    item_name = booking.item.name if booking.item else "业务"
    return {
        "when": rules.when_label(booking.slot.starts_at, booking.slot.ends_at),
        "hall": rules.sms_param(hall.name, limit=30),
        "matter": rules.sms_param(item_name, limit=20),
        "code": booking.code,
    }


def _sms_quietly(phone: str, template: str, params: dict[str, str], now: dt.datetime) -> bool:
    """Queue an SMS; a number that is malformed or has had too many messages lately does not
    undo the booking (the page shows the code as well). A wrong template still raises."""
    try:
        with transaction.atomic():
            sms_send(phone=phone, template=template, params=params, category=SMS_CATEGORY, now=now)
    except YiwangError as exc:
        if exc.code not in (NotifyErrorCode.RATE_LIMITED, NotifyErrorCode.INVALID_PHONE):
            raise
        logger.warning("booking sms %s not queued: %s", template, exc.code)
        return False
    return True
