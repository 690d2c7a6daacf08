"""Pages for citizens (book, my bookings, cancel) and for the hall (kiosk, screen).

The kiosk and the screen are public: they show queue numbers and window numbers, never a name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts.models import Person
from yiwang.accounts.selectors import person_of
from yiwang.accounts.web import client_ip
from yiwang.bookings import selectors, services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, QueueTicket
from yiwang.bookings.rules import local
from yiwang.bookings.states import booking_cancellable
from yiwang.core.audit import actor_label
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Department, Hall, Window

TICKET_SALT = "yiwang.bookings.ticket"
TICKET_LINK_SECONDS = 24 * 3600


def _person(request: HttpRequest) -> Person:
    person = person_of(request.user)  # type: ignore[arg-type]
    if person is None:
        raise BookingsError("此页面仅供个人用户使用", code=BookingsErrorCode.PERMISSION_DENIED)
    return person


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- Citizens ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    item = selectors.bookable_item_get(code=request.GET.get("item", ""))
    halls = list(selectors.halls_for_item(item=item))
    hall_id = _int(request.GET.get("hall"))
    hall = next((h for h in halls if h.pk == hall_id), halls[0] if halls else None)
    error, status = "", 200
    if request.method == "POST":
        try:
            slot = selectors.slot_get_public(slot_id=_int(request.POST.get("slot")) or 0)
            booking = services.booking_create(person=person, slot=slot, item=item)
        except YiwangError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, f"预约成功，预约码 {booking.code}，已短信通知您")
            return redirect("bookings:mine")
    now = timezone.now()
    days = selectors.free_days_for_item(item=item, now=now, hall=hall) if hall else []
    wanted = _date(request.GET.get("date"))
    day = wanted if wanted in {d for d, _ in days} else (days[0][0] if days else None)
    slots = selectors.slots_free_for_item(item=item, now=now, hall=hall, date=day) if day else []
    context = {
        "item": item,
        "halls": halls,
        "hall": hall,
        "days": days,
        "day": day,
        "slots": slots,
        "error": error,
    }
    return render(request, "bookings/new.html", context, status=status)


def _mine(request: HttpRequest, person: Person, *, error: str = "", status: int = 200) -> Any:
    now = timezone.now()
    bookings: list[Booking] = list(selectors.bookings_of_person(person=person)[:100])
    rows = [(b, booking_cancellable(b, now=now)) for b in bookings]
    context = {"rows": rows, "error": error}
    return render(request, "bookings/mine.html", context, status=status)


@login_required
def booking_mine(request: HttpRequest) -> HttpResponse:
    return _mine(request, _person(request))


@login_required
@require_POST
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    person = _person(request)
    booking = selectors.booking_get_for_person(person=person, booking_id=booking_id)
    try:
        services.booking_cancel(booking=booking, person=person)
    except YiwangError as exc:
        return _mine(request, person, error=exc.message, status=exc.status)
    messages.success(request, f"已取消预约 {booking.code}")
    return redirect("bookings:mine")


# --- The hall: kiosk and screen ----------------------------------------------------------------


def _kiosk(request: HttpRequest, hall: Hall, *, error: str = "", status: int = 200) -> Any:
    context = {
        "hall": hall,
        "services": selectors.kiosk_services(hall=hall),
        "item_code": request.GET.get("item", "")[:36],
        "error": error,
    }
    return render(request, "bookings/kiosk.html", context, status=status)


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, hall_id: int) -> HttpResponse:
    """Take a number for a kind of window or a matter, or check a booking in by its code."""
    hall = selectors.hall_get_public(hall_id=hall_id)
    if request.method == "GET":
        return _kiosk(request, hall)
    try:
        ticket = _kiosk_post(request, hall)
    except YiwangError as exc:
        return _kiosk(request, hall, error=exc.message, status=exc.status)
    token = signing.dumps([hall.pk, ticket.pk], salt=TICKET_SALT)
    return redirect("bookings:kiosk_ticket", hall_id=hall.pk, token=token)


def _kiosk_post(request: HttpRequest, hall: Hall) -> QueueTicket:
    person = person_of(request.user)  # type: ignore[arg-type]
    actor = actor_label(request.user) if person else services.KIOSK_ACTOR
    if request.POST.get("action") == "check_in":
        return _check_in(request, hall)
    item_code = request.POST.get("item", "").strip()
    if item_code:
        item = selectors.item_for_ticket(code=item_code)
        return services.ticket_take(hall=hall, item=item, person=person, actor=actor)
    kind, _, department_id = request.POST.get("service", "").partition(":")
    department = None
    if kind == Window.Kind.SPECIALIST:
        department = Department.objects.filter(pk=_int(department_id) or 0).first()
    return services.ticket_take(
        hall=hall, window_kind=kind, department=department, person=person, actor=actor
    )


CHECK_IN_LOCK_SECONDS = 15 * 60


def _check_in(request: HttpRequest, hall: Hall) -> QueueTicket:
    """Check in by booking code. The kiosk page is public: wrong codes are counted per address,
    so codes cannot be guessed by trying (a hall kiosk's typos stay far below the limit)."""
    key = f"bookings:check_in_failures:{client_ip(request) or '-'}"
    if cache.get(key, 0) >= settings.BOOKINGS_CHECK_IN_FAILURE_LIMIT:
        raise BookingsError(
            "预约码输入错误次数过多，请 15 分钟后再试，或到服务台签到",
            code=BookingsErrorCode.CHECK_IN_LOCKED,
            field="code",
        )
    try:
        return services.booking_check_in(code=request.POST.get("code", ""), hall=hall)
    except BookingsError as exc:
        if exc.code == BookingsErrorCode.NOT_FOUND:
            cache.add(key, 0, CHECK_IN_LOCK_SECONDS)
            cache.incr(key)
        raise


def kiosk_ticket(request: HttpRequest, hall_id: int, token: str) -> HttpResponse:
    try:
        signed_hall, ticket_id = signing.loads(token, salt=TICKET_SALT, max_age=TICKET_LINK_SECONDS)
    except signing.BadSignature:
        raise BookingsError("该取号凭条已失效", code=BookingsErrorCode.NOT_FOUND) from None
    ticket = QueueTicket.objects.select_related("hall", "item").filter(pk=ticket_id).first()
    if ticket is None or signed_hall != hall_id or ticket.hall_id != hall_id:
        raise BookingsError("未找到该号码", code=BookingsErrorCode.NOT_FOUND)
    context = {
        "ticket": ticket,
        "hall": ticket.hall,
        "ahead": selectors.tickets_ahead(ticket=ticket),
    }
    return render(request, "bookings/ticket.html", context)


def screen(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = selectors.hall_get_public(hall_id=hall_id)
    data = selectors.hall_screen(hall=hall, today=local(timezone.now()).date())
    context = {
        "hall": hall,
        "screen": data,
        "refresh_url": reverse("bookings:screen", args=[hall.pk]),
    }
    return render(request, "bookings/screen.html", context)
