"""Booking a place in a slot (`booking_create`) and cancelling it (`booking_cancel`); both lock
the slot row first, so a slot never holds more bookings than its capacity."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import Person
from yiwang.bookings import rules
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, BookingState, EventAction, Slot
from yiwang.bookings.selectors import live_bookings_count
from yiwang.bookings.services._common import _event, _locked, _sms_params, _sms_quietly
from yiwang.bookings.states import booking_transition_check
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.audit import actor_label
from yiwang.regions.models import Hall, Window

# --- Bookings ----------------------------------------------------------------------------------


def _require_bookable(item: ImplementationItem) -> None:
    item = ImplementationItem.objects.select_related("current_version").get(pk=item.pk)
    version = item.current_version
    if item.status != ItemStatus.PUBLISHED or version is None or not version.bookable:
        raise BookingsError(
            "该事项暂不支持预约办理", code=BookingsErrorCode.NOT_BOOKABLE, field="item"
        )


def booking_create(
    *,
    person: Person,
    slot: Slot,
    item: ImplementationItem | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book one place in `slot` for `item` (a slot for one matter books that matter).

    Refused: a matter that is not bookable or not handled at that hall or window; a slot that
    has started; the same person twice in one slot; more than `rules.MAX_LIVE_BOOKINGS`
    upcoming bookings; a full slot. A confirmation SMS goes out with the booking code.
    """
    now = now or timezone.now()
    item = item or slot.item
    if item is None:
        raise BookingsError("请选择要办理的事项", code=BookingsErrorCode.INVALID, field="item")
    _require_bookable(item)
    with transaction.atomic():
        locked = _locked(Slot.objects.filter(pk=slot.pk)).get()
        hall = Hall.objects.get(pk=locked.hall_id)
        window = Window.objects.get(pk=locked.window_id) if locked.window_id else None
        if not rules.hall_serves_item(
            hall_prefix=hall.region_prefix, item_prefix=item.region_prefix
        ) or not _slot_serves(locked, window, item):
            raise BookingsError(
                "该时段不办理此事项，请选择其他时段", code=BookingsErrorCode.WRONG_HALL
            )
        if locked.starts_at <= now:
            raise BookingsError(
                "该时段已开始或已过去，请选择其他时段", code=BookingsErrorCode.SLOT_PAST
            )
        live = Booking.objects.filter(
            slot=locked, person=person, state__in=(BookingState.BOOKED, BookingState.CHECKED_IN)
        )
        if live.exists():
            raise BookingsError("您已预约该时段", code=BookingsErrorCode.ALREADY_BOOKED)
        if live_bookings_count(person=person, now=now) >= rules.MAX_LIVE_BOOKINGS:
            raise BookingsError(
                f"您已有 {rules.MAX_LIVE_BOOKINGS} 个未到期的预约，请办理或取消后再预约",
                code=BookingsErrorCode.TOO_MANY,
            )
        if locked.booked_count >= locked.capacity:
            raise BookingsError("该时段已约满，请选择其他时段", code=BookingsErrorCode.SLOT_FULL)
        locked.booked_count += 1
        locked.save(update_fields=["booked_count"])
        soon = locked.starts_at - now <= rules.REMINDER_AHEAD  # the confirmation is the reminder
        booking = Booking(
            code=_unused_booking_code(),
            slot=locked,
            person=person,
            item=item,
            created_at=now,
            reminded_at=now if soon else None,
        )
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError:
            raise BookingsError("您已预约该时段", code=BookingsErrorCode.ALREADY_BOOKED) from None
        _event(action=EventAction.BOOKED, actor=actor_label(person.user), at=now, booking=booking)
        _sms_quietly(person.phone, "booking_confirmed", _sms_params(booking, hall), now)
    return booking


def _slot_serves(slot: Slot, window: Window | None, item: ImplementationItem) -> bool:
    if window is not None and not window.is_active:
        return False
    return rules.slot_serves_item(
        slot_item_id=slot.item_id,
        window_kind=window.kind if window else None,
        window_department_id=window.department_id if window else None,
        item_id=item.pk,
        item_department_id=item.department_id,
    )


def _unused_booking_code() -> str:
    for _ in range(10):
        code = rules.booking_code_new()
        if not Booking.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no unused booking code after 10 draws")  # 32**8 codes: never in practice


def booking_cancel(*, booking: Booking, person: Person, now: dt.datetime | None = None) -> Booking:
    """The person cancels their own booking before its slot starts; the place is freed."""
    now = now or timezone.now()
    with transaction.atomic():
        # The slot first, then the booking: the order `booking_create` locks them in.
        slot = _locked(Slot.objects.filter(pk=booking.slot_id)).get()
        locked = _locked(Booking.objects.filter(pk=booking.pk)).get()
        if locked.person_id != person.pk:
            raise BookingsError("未找到该预约", code=BookingsErrorCode.NOT_FOUND)
        booking_transition_check(locked, BookingState.CANCELLED)
        if now >= slot.starts_at:
            raise BookingsError("预约时段已开始，不能取消", code=BookingsErrorCode.NOT_CANCELLABLE)
        locked.state, locked.cancelled_at = BookingState.CANCELLED, now
        locked.save(update_fields=["state", "cancelled_at"])
        slot.booked_count -= 1
        slot.save(update_fields=["booked_count"])
        _event(action=EventAction.CANCELLED, actor=actor_label(person.user), at=now, booking=locked)
    locked.slot = slot
    return locked
