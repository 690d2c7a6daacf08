"""The hall queue (排队叫号): taking a number (`ticket_take`), a window officer calling the next
ticket (`ticket_call_next`, with `SKIP LOCKED`), and recalling, skipping (过号) or finishing
(办结) it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.selectors import has_role
from yiwang.bookings import rules
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import EventAction, QueueTicket, TicketCounter, TicketState
from yiwang.bookings.selectors import window_queue
from yiwang.bookings.services._common import KIOSK_ACTOR, _event, _locked
from yiwang.bookings.states import ticket_transition_check
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.audit import actor_label
from yiwang.regions.models import Department, Hall, Window

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
