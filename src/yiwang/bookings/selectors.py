"""Reads of bookings and the hall queue, each carrying its permission.

A citizen sees their own bookings (another's is "not found"); a window officer sees the windows
`rules.officer_may_serve` gives them and the tickets called there; the hall screen and the kiosk
see numbers and window numbers only, never a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet, Sum

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.selectors import has_role
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import (
    Booking,
    BookingState,
    QueueTicket,
    Slot,
    TicketState,
)
from yiwang.bookings.rules import BOOKING_HORIZON_DAYS, local
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.regions.models import Hall, Window

# --- Matters and slots -------------------------------------------------------------------------


def bookable_item_get(*, code: str) -> ImplementationItem:
    """A published matter that may be booked (its current version says 支持预约)."""
    item = (
        ImplementationItem.objects.select_related("current_version", "department")
        .filter(code=code.strip().upper()[:36], status=ItemStatus.PUBLISHED)
        .first()
    )
    if item is None:
        raise BookingsError("未找到该事项", code=BookingsErrorCode.NOT_FOUND)
    if item.current_version is None or not item.current_version.bookable:
        raise BookingsError("该事项暂不支持预约办理", code=BookingsErrorCode.NOT_BOOKABLE)
    return item


def item_for_ticket(*, code: str) -> ImplementationItem:
    """A published matter one takes a number for at the kiosk (bookable or not)."""
    item = ImplementationItem.objects.filter(
        code=code.strip().upper()[:36], status=ItemStatus.PUBLISHED
    ).first()
    if item is None:
        raise BookingsError(
            "未找到该事项，请核对事项编码", code=BookingsErrorCode.NOT_FOUND, field="item"
        )
    return item


def halls_for_item(*, item: ImplementationItem) -> QuerySet[Hall]:
    """The halls where a matter is handled: those of its own region (`rules.hall_serves_item`)."""
    return Hall.objects.filter(region_prefix=item.region_prefix).order_by("name")


def _serving(item: ImplementationItem) -> Q:
    """`rules.slot_serves_item` as a query."""
    unrestricted = Q(item__isnull=True) & (
        Q(window__isnull=True)
        | Q(window__kind=Window.Kind.GENERAL)
        | Q(window__kind=Window.Kind.SPECIALIST, window__department_id=item.department_id)
    )
    return Q(item=item) | unrestricted


def slots_free_for_item(
    *,
    item: ImplementationItem,
    now: dt.datetime,
    hall: Hall | None = None,
    date: dt.date | None = None,
) -> QuerySet[Slot]:
    """Slots that still take a booking for `item`: at a hall of its region, a window that serves
    it, not started, not full, within the booking horizon."""
    today = local(now).date()
    slots = (
        Slot.objects.select_related("hall", "window")
        .filter(
            hall__region_prefix=item.region_prefix,
            date__gte=today,
            date__lte=today + dt.timedelta(days=BOOKING_HORIZON_DAYS),
            starts_at__gt=now,
            booked_count__lt=F("capacity"),
        )
        .filter(Q(window__isnull=True) | Q(window__is_active=True))
        .filter(_serving(item))
    )
    if hall is not None:
        slots = slots.filter(hall=hall)
    if date is not None:
        slots = slots.filter(date=date)
    return slots.order_by("date", "starts_at", "hall__name", "window__number")


def free_days_for_item(
    *, item: ImplementationItem, now: dt.datetime, hall: Hall | None = None
) -> list[tuple[dt.date, int]]:
    """Each day with free places for `item`, and how many."""
    rows = (
        slots_free_for_item(item=item, now=now, hall=hall)
        .order_by()
        .values("date")
        .annotate(places=Sum(F("capacity") - F("booked_count")))
        .order_by("date")
    )
    return [(row["date"], row["places"]) for row in rows]


def slot_get_public(*, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("hall", "window", "item").filter(pk=slot_id).first()
    if slot is None:
        raise BookingsError("未找到该预约时段", code=BookingsErrorCode.NOT_FOUND, field="slot_id")
    return slot


# --- A citizen's bookings ----------------------------------------------------------------------


def bookings_of_person(*, person: Person) -> QuerySet[Booking]:
    """A person's bookings, the latest slot first."""
    return (
        Booking.objects.filter(person=person)
        .select_related("slot__hall", "slot__window", "item", "ticket")
        .order_by("-slot__starts_at", "-pk")
    )


def booking_get_for_person(*, person: Person, booking_id: int) -> Booking:
    """One of the person's own bookings; anyone else's is "not found" (never "forbidden")."""
    booking = bookings_of_person(person=person).filter(pk=booking_id).first()
    if booking is None:
        raise BookingsError("未找到该预约", code=BookingsErrorCode.NOT_FOUND)
    return booking


def live_bookings_count(*, person: Person, now: dt.datetime) -> int:
    return Booking.objects.filter(
        person=person, state=BookingState.BOOKED, slot__starts_at__gt=now
    ).count()


# --- Halls: kiosk and screen (public, no personal data) ----------------------------------------


def hall_get_public(*, hall_id: int) -> Hall:
    hall = Hall.objects.filter(pk=hall_id).first()
    if hall is None:
        raise BookingsError("未找到该大厅", code=BookingsErrorCode.NOT_FOUND)
    return hall


@dataclass(frozen=True)
class KioskService:
    """A button on the kiosk: a kind of window, and for specialist windows their department."""

    key: str  # "general" or "specialist:12"
    kind: str
    department_id: int | None
    label: str


def kiosk_services(*, hall: Hall) -> list[KioskService]:
    """What one can take a number for at this hall: one entry per kind of active window, and per
    department for the specialist windows."""
    services: dict[str, KioskService] = {}
    for window in hall.windows.filter(is_active=True).order_by("number"):
        if window.kind == Window.Kind.SPECIALIST and window.department_id is not None:
            key = f"{window.kind}:{window.department_id}"
            label = window.name.removesuffix("窗口")
            department_id: int | None = window.department_id
        else:
            key, label, department_id = window.kind, Window.Kind(window.kind).label, None
        services.setdefault(key, KioskService(key, window.kind, department_id, label))
    return list(services.values())


def tickets_ahead(*, ticket: QueueTicket) -> int:
    """Waiting tickets that the same windows will call before this one."""
    if ticket.state != TicketState.WAITING:
        return 0
    same_queue = QueueTicket.objects.filter(
        hall_id=ticket.hall_id,
        date=ticket.date,
        state=TicketState.WAITING,
        window_kind=ticket.window_kind,
    ).filter(
        Q(department__isnull=True)
        if ticket.department_id is None
        else Q(department_id=ticket.department_id)
    )
    earlier = Q(taken_at__lt=ticket.taken_at) | Q(taken_at=ticket.taken_at, pk__lt=ticket.pk)
    before = Q(priority=True) & earlier if ticket.priority else Q(priority=True) | earlier
    return same_queue.filter(before).count()


@dataclass(frozen=True)
class ScreenRow:
    code: str
    window_number: str
    announced_at: dt.datetime


@dataclass(frozen=True)
class HallScreen:
    hall_name: str
    latest: ScreenRow | None
    recent: list[ScreenRow]
    waiting: int


def hall_screen(*, hall: Hall, today: dt.date, limit: int = 10) -> HallScreen:
    """The hall screen: the numbers called last, with their windows; how many still wait."""
    called = (
        QueueTicket.objects.filter(hall=hall, date=today, announced_at__isnull=False)
        .select_related("window")
        .order_by("-announced_at", "-pk")[:limit]
    )
    rows = [ScreenRow(t.code, t.window.number if t.window else "", t.announced_at)  # type: ignore[arg-type]
            for t in called]  # fmt: skip
    waiting = QueueTicket.objects.filter(hall=hall, date=today, state=TicketState.WAITING).count()
    return HallScreen(hall.name, rows[0] if rows else None, rows, waiting)


# --- Window officers ---------------------------------------------------------------------------


def windows_for_officer(*, staff: Staff) -> QuerySet[Window]:
    """The active windows a window officer may serve (`rules.officer_may_serve`); none for
    anyone without the window-officer role."""
    if not has_role(staff, Role.WINDOW_OFFICER):
        return Window.objects.none()
    return (
        Window.objects.select_related("hall", "department")
        .filter(is_active=True)
        .filter(
            Q(department_id=staff.department_id)
            | Q(department__isnull=True, hall__region_prefix=staff.region_prefix)
        )
        .order_by("hall__name", "number")
    )


def window_get_for_officer(*, staff: Staff, window_id: int) -> Window:
    window = windows_for_officer(staff=staff).filter(pk=window_id).first()
    if window is None:
        raise BookingsError("未找到该窗口", code=BookingsErrorCode.NOT_FOUND)
    return window


def ticket_get_for_officer(*, staff: Staff, ticket_id: int) -> QueueTicket:
    """A ticket called at one of the officer's windows."""
    windows = windows_for_officer(staff=staff).values("pk")
    ticket = (
        QueueTicket.objects.select_related("window__hall", "hall")
        .filter(pk=ticket_id, window__in=windows)
        .first()
    )
    if ticket is None:
        raise BookingsError("未找到该号码", code=BookingsErrorCode.NOT_FOUND)
    return ticket


def window_current_ticket(*, window: Window) -> QueueTicket | None:
    """The ticket being served at the window (called, not yet finished or skipped)."""
    return (
        QueueTicket.objects.select_related("item", "booking")
        .filter(window=window, state=TicketState.CALLED)
        .first()
    )


def window_queue(*, window: Window, today: dt.date) -> QuerySet[QueueTicket]:
    """The waiting tickets the window serves today, in calling order: booked ones first."""
    return (
        QueueTicket.objects.filter(
            hall_id=window.hall_id, date=today, state=TicketState.WAITING, window_kind=window.kind
        )
        .filter(Q(department__isnull=True) | Q(department_id=window.department_id))
        .order_by("-priority", "taken_at", "pk")
    )


@dataclass(frozen=True)
class WaitStats:
    called: int
    average_seconds: int | None


def wait_stats(*, hall: Hall, date: dt.date) -> WaitStats:
    """How many tickets of a hall's day were called, and their average waiting time."""
    row = QueueTicket.objects.filter(hall=hall, date=date, wait_seconds__isnull=False).aggregate(
        called=Count("pk"), average=Avg("wait_seconds")
    )
    average = row["average"]
    return WaitStats(row["called"], None if average is None else round(average))
