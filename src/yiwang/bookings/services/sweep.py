"""What the periodic sweep (`tasks.bookings_sweep`) does to bookings: the reminder a day ahead,
and "missed" for those whose slot ended without a check-in."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.bookings import rules
from yiwang.bookings.models import Booking, BookingEvent, BookingState, EventAction
from yiwang.bookings.services._common import _event, _locked, _sms_params, _sms_quietly
from yiwang.core.audit import SYSTEM_ACTOR


def bookings_remind_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the reminder of every booking that starts within 24 hours and has had none; return
    how many were sent. Idempotent: `reminded_at` is set in the same transaction as the SMS."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        state=BookingState.BOOKED,
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + rules.REMINDER_AHEAD,
    ).order_by("slot__starts_at", "pk")
    sent = 0
    for booking_id in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            rows = Booking.objects.filter(
                pk=booking_id, state=BookingState.BOOKED, reminded_at__isnull=True
            )
            booking = _locked(rows, skip_locked=True).first()
            if booking is None:
                continue  # reminded, cancelled or being reminded by another worker
            booking = Booking.objects.select_related("slot__hall", "item", "person").get(
                pk=booking.pk
            )
            params = _sms_params(booking, booking.slot.hall)
            if not _sms_quietly(booking.person.phone, "booking_reminder", params, now):
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _event(action=EventAction.REMINDED, actor=SYSTEM_ACTOR, at=now, booking=booking)
            sent += 1
    return sent


def bookings_mark_missed(*, now: dt.datetime | None = None) -> int:
    """Bookings whose slot ended without a check-in become "missed"; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Booking.objects.filter(state=BookingState.BOOKED, slot__ends_at__lte=now)
        ids = list(_locked(rows, skip_locked=True).values_list("pk", flat=True))
        Booking.objects.filter(pk__in=ids).update(state=BookingState.MISSED)
        BookingEvent.objects.bulk_create(
            [
                BookingEvent(booking_id=pk, action=EventAction.MISSED, actor=SYSTEM_ACTOR, at=now)
                for pk in ids
            ]
        )
    return len(ids)
