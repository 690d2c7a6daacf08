"""Every write of bookings and the hall queue. Each service runs in one transaction, locks the
rows it changes, refuses with a `BookingsError` (nothing written) and records a `BookingEvent`.

Capacity is kept by locking the slot row (`SELECT … FOR UPDATE`) and by a database check
(`booked_count <= capacity`); a number is taken under a lock on its hall/day/prefix counter; a
window officer calls the next ticket with `SKIP LOCKED`, so two windows never call the same one.
SMS are outbox rows in the same transaction (see `notify.services.sms_send`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.selectors import has_role
from yiwang.bookings import rules
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import (
    Booking,
    BookingEvent,
    BookingState,
    EventAction,
    QueueTicket,
    Slot,
    TicketCounter,
    TicketState,
)
from yiwang.bookings.selectors import live_bookings_count, window_queue
from yiwang.bookings.states import booking_transition_check, ticket_transition_check
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.audit import SYSTEM_ACTOR, actor_label, audit_record
from yiwang.core.errors import YiwangError
from yiwang.notify.errors import NotifyErrorCode
from yiwang.notify.services import sms_send
from yiwang.regions.models import Department, Hall, Window

logger = logging.getLogger(__name__)

KIOSK_ACTOR = "kiosk"
SMS_CATEGORY = "booking"
MAX_CAPACITY = 500

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


# --- Slots -------------------------------------------------------------------------------------


def slots_generate(
    *,
    hall: Hall,
    dates: Iterable[dt.date],
    times: Sequence[tuple[dt.time, dt.time]],
    capacity: int,
    windows: Iterable[Window] | None = None,
    item: ImplementationItem | None = None,
    actor: str = SYSTEM_ACTOR,
) -> int:
    """Create the slots of `hall` for every date × time (× window, when windows are given;
    otherwise hall-wide slots); return how many were created. Slots that exist already (same
    window, matter and start) are left as they are, so running it twice creates nothing new."""
    window_list: list[Window | None] = list(windows) if windows is not None else [None]
    date_list = sorted(set(dates))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise BookingsError(
            f"可预约人数应在 1 到 {MAX_CAPACITY} 之间",
            code=BookingsErrorCode.INVALID,
            field="capacity",
        )
    if not times or not date_list:
        raise BookingsError("请至少选择一个日期和一个时段", code=BookingsErrorCode.INVALID)
    if any(w is not None and w.hall_id != hall.pk for w in window_list):
        raise BookingsError("所选窗口不属于该大厅", code=BookingsErrorCode.INVALID, field="windows")
    if item is not None and not rules.hall_serves_item(
        hall_prefix=hall.region_prefix, item_prefix=item.region_prefix
    ):
        raise BookingsError("该大厅不办理此事项", code=BookingsErrorCode.WRONG_HALL, field="item")
    try:
        bounds = [
            rules.slot_bounds(day=day, start=start, end=end)
            for day in date_list
            for start, end in times
        ]
    except ValueError as exc:
        raise BookingsError(str(exc), code=BookingsErrorCode.INVALID, field="times") from None
    with transaction.atomic():
        created = slots_insert_missing(
            hall_ids=[hall.pk],
            rows=[
                (hall.pk, w.pk if w else None, item.pk if item else None, s, e, capacity)
                for w in window_list
                for s, e in bounds
            ],
        )
        audit_record(
            actor=actor,
            action="bookings.slots_generated",
            object_type="regions.hall",
            object_id=hall.pk,
            detail={
                "created": created,
                "from": date_list[0].isoformat(),
                "to": date_list[-1].isoformat(),
                "capacity": capacity,
                "item": item.code if item else "",
            },
        )
    return created


SlotRow = tuple[int, int | None, int | None, dt.datetime, dt.datetime, int]


def slots_insert_missing(*, hall_ids: Sequence[int], rows: Sequence[SlotRow]) -> int:
    """Insert the slots not already there (matched on hall, window, matter and start)."""
    if not rows:
        return 0
    first = min(r[3] for r in rows)
    last = max(r[3] for r in rows)
    existing = set(
        Slot.objects.filter(
            hall_id__in=hall_ids, starts_at__gte=first, starts_at__lte=last
        ).values_list("hall_id", "window_id", "item_id", "starts_at")
    )
    new = [
        Slot(
            hall_id=hall_id,
            window_id=window_id,
            item_id=item_id,
            date=rules.local(starts_at).date(),
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
        )
        for hall_id, window_id, item_id, starts_at, ends_at, capacity in rows
        if (hall_id, window_id, item_id, starts_at) not in existing
    ]
    Slot.objects.bulk_create(new, batch_size=1000)
    return len(new)


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


# --- Queue tickets -----------------------------------------------------------------------------


def _queue_for(
    *,
    hall: Hall,
    window_kind: str | None = None,
    department: Department | None = None,
    item: ImplementationItem | None = None,
) -> tuple[str, int | None]:
    """The queue (window kind, department) a number is taken for: a matter goes to its
    department's specialist window in this hall, else to the general windows."""
    windows = Window.objects.filter(hall=hall, is_active=True)
    if item is not None:
        if item.status != ItemStatus.PUBLISHED or not rules.hall_serves_item(
            hall_prefix=hall.region_prefix, item_prefix=item.region_prefix
        ):
            raise BookingsError(
                "本大厅不办理该事项", code=BookingsErrorCode.WRONG_HALL, field="item"
            )
        specialist = windows.filter(
            kind=Window.Kind.SPECIALIST, department_id=item.department_id
        ).exists()
        if specialist:
            return Window.Kind.SPECIALIST, item.department_id
        if windows.filter(kind=Window.Kind.GENERAL).exists():
            return Window.Kind.GENERAL, None
        raise BookingsError("本大厅没有办理该事项的窗口", code=BookingsErrorCode.NO_SUCH_SERVICE)
    if window_kind not in Window.Kind.values:
        raise BookingsError("请选择取号业务", code=BookingsErrorCode.INVALID, field="window_kind")
    if window_kind == Window.Kind.SPECIALIST:
        if (
            department is None
            or not windows.filter(kind=window_kind, department=department).exists()
        ):
            raise BookingsError(
                "本大厅没有该部门的专业窗口", code=BookingsErrorCode.NO_SUCH_SERVICE
            )
        return window_kind, department.pk
    if not windows.filter(kind=window_kind).exists():
        raise BookingsError("本大厅没有该类窗口", code=BookingsErrorCode.NO_SUCH_SERVICE)
    return window_kind, None


def _ticket_issue(
    *,
    hall: Hall,
    window_kind: str,
    department_id: int | None,
    item: ImplementationItem | None,
    person_id: int | None,
    priority: bool,
    actor: str,
    now: dt.datetime,
) -> QueueTicket:
    """The next number of the hall's day for this prefix, taken under the counter's lock."""
    today = rules.local(now).date()
    prefix = rules.ticket_prefix(window_kind=window_kind, priority=priority)
    counters = TicketCounter.objects.filter(hall=hall, date=today, prefix=prefix)
    counter = _locked(counters).first()
    if counter is None:
        # Two kiosks may create it at once: one insert wins, the other does nothing.
        TicketCounter.objects.bulk_create(
            [TicketCounter(hall=hall, date=today, prefix=prefix)], ignore_conflicts=True
        )
        counter = _locked(counters).get()
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    ticket = QueueTicket.objects.create(
        hall=hall,
        date=today,
        prefix=prefix,
        number=counter.last_number,
        code=rules.ticket_code(prefix, counter.last_number),
        window_kind=window_kind,
        department_id=department_id,
        item=item,
        priority=priority,
        person_id=person_id,
        taken_at=now,
    )
    _event(action=EventAction.TAKEN, actor=actor, at=now, ticket=ticket)
    return ticket


def ticket_take(
    *,
    hall: Hall,
    window_kind: str | None = None,
    department: Department | None = None,
    item: ImplementationItem | None = None,
    person: Person | None = None,
    actor: str = KIOSK_ACTOR,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """Take a number at `hall` for a matter, or for a kind of window (a specialist window's
    with its department)."""
    now = now or timezone.now()
    kind, department_id = _queue_for(
        hall=hall, window_kind=window_kind, department=department, item=item
    )
    with transaction.atomic():
        return _ticket_issue(
            hall=hall,
            window_kind=kind,
            department_id=department_id,
            item=item,
            person_id=person.pk if person else None,
            priority=False,
            actor=actor,
            now=now,
        )


def _may_serve(officer: Staff, window: Window, hall: Hall) -> bool:
    return (
        window.is_active
        and has_role(officer, Role.WINDOW_OFFICER)
        and rules.officer_may_serve(
            staff_department_id=officer.department_id,
            staff_region_prefix=officer.region_prefix,
            window_department_id=window.department_id,
            hall_region_prefix=hall.region_prefix,
        )
    )


def _require_officer(officer: Staff, window: Window) -> None:
    hall = Hall.objects.get(pk=window.hall_id)
    if not _may_serve(officer, window, hall):
        raise BookingsError("您不能在该窗口叫号", code=BookingsErrorCode.PERMISSION_DENIED)


def _require_officer_at_hall(officer: Staff, hall: Hall) -> None:
    windows = Window.objects.filter(hall=hall, is_active=True)
    if not any(_may_serve(officer, window, hall) for window in windows):
        raise BookingsError("您不是该大厅的窗口人员", code=BookingsErrorCode.PERMISSION_DENIED)


def ticket_call_next(
    *, officer: Staff, window: Window, now: dt.datetime | None = None
) -> QueueTicket:
    """Call the next waiting ticket the window serves today: booked tickets first, then in the
    order taken. The window must have finished or skipped its current ticket."""
    now = now or timezone.now()
    _require_officer(officer, window)
    actor = actor_label(officer.user)
    with transaction.atomic():
        current = QueueTicket.objects.filter(window=window, state=TicketState.CALLED).first()
        if current is not None:
            raise BookingsError(
                f"请先办结或过号当前号码 {current.code}", code=BookingsErrorCode.WINDOW_BUSY
            )
        queue = window_queue(window=window, today=rules.local(now).date())
        ticket = _locked(queue, skip_locked=True).first()
        if ticket is None:
            raise BookingsError("当前没有等候的号码", code=BookingsErrorCode.QUEUE_EMPTY)
        ticket.state = TicketState.CALLED
        ticket.called_at = ticket.announced_at = now
        ticket.call_count = 1
        ticket.window, ticket.called_by = window, officer
        ticket.wait_seconds = rules.wait_seconds(taken_at=ticket.taken_at, called_at=now)
        try:
            with transaction.atomic():
                ticket.save()
        except IntegrityError:  # another officer at this window called one a moment ago
            raise BookingsError(
                "该窗口已有正在办理的号码，请刷新", code=BookingsErrorCode.WINDOW_BUSY
            ) from None
        _event(action=EventAction.CALLED, actor=actor, at=now, ticket=ticket, window=window.number)
    return ticket


def _ticket_move(
    *,
    officer: Staff,
    ticket: QueueTicket,
    target: TicketState,
    action: EventAction,
    now: dt.datetime | None,
) -> QueueTicket:
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(QueueTicket.objects.filter(pk=ticket.pk)).get()
        window = Window.objects.get(pk=locked.window_id) if locked.window_id else None
        if window is None or not _may_serve(officer, window, Hall.objects.get(pk=locked.hall_id)):
            raise BookingsError(
                "该号码不是在您的窗口叫的", code=BookingsErrorCode.PERMISSION_DENIED
            )
        ticket_transition_check(locked, target)
        if target == TicketState.CALLED:
            locked.announced_at = now
            locked.call_count += 1
        else:
            locked.state, locked.finished_at = target, now
        locked.save()
        _event(
            action=action,
            actor=actor_label(officer.user),
            at=now,
            ticket=locked,
            window=window.number,
        )
    return locked


def ticket_recall(
    *, officer: Staff, ticket: QueueTicket, now: dt.datetime | None = None
) -> QueueTicket:
    """Call the window's current ticket again (it shows again on the hall screen)."""
    return _ticket_move(
        officer=officer, ticket=ticket, target=TicketState.CALLED,
        action=EventAction.RECALLED, now=now,
    )  # fmt: skip


def ticket_skip(
    *, officer: Staff, ticket: QueueTicket, now: dt.datetime | None = None
) -> QueueTicket:
    """The person called did not come (过号)."""
    return _ticket_move(
        officer=officer, ticket=ticket, target=TicketState.SKIPPED,
        action=EventAction.SKIPPED, now=now,
    )  # fmt: skip


def ticket_finish(
    *, officer: Staff, ticket: QueueTicket, now: dt.datetime | None = None
) -> QueueTicket:
    """The person was served (办结); the window is free for the next number."""
    return _ticket_move(
        officer=officer, ticket=ticket, target=TicketState.DONE,
        action=EventAction.FINISHED, now=now,
    )  # fmt: skip
