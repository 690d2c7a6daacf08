"""The window officer's queue page: pick a window, call the next number, recall, skip, finish,
and check a booked person in by their booking code. Everything goes through `services`, which
check again that the officer may serve the window."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.accounts.models import Role, Staff
from yiwang.bookings import selectors, services
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.rules import local
from yiwang.bookings.states import TICKET_ACTION_LABELS, TicketAction, ticket_actions
from yiwang.core.audit import actor_label
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Window
from yiwang.workbench.auth import staff_required


def _back(window: Window) -> HttpResponse:
    return redirect(reverse("bookings:queue") + f"?window={window.pk}")


def _queue_page(
    request: HttpRequest, staff: Staff, window: Window | None, *, error: str = "", status: int = 200
) -> Any:
    context: dict[str, Any] = {
        "staff": staff,
        "windows": selectors.windows_for_officer(staff=staff),
        "window": window,
        "error": error,
    }
    if window is not None:
        today = local(timezone.now()).date()
        current = selectors.window_current_ticket(window=window)
        context.update(
            current=current,
            actions=[(a.value, TICKET_ACTION_LABELS[a]) for a in ticket_actions(current)],
            waiting=selectors.window_queue(window=window, today=today).count(),
            stats=selectors.wait_stats(hall=window.hall, date=today),
        )
    return render(request, "bookings/queue.html", context, status=status)


@staff_required(Role.WINDOW_OFFICER)
def queue(request: HttpRequest, staff: Staff) -> HttpResponse:
    window_id = request.GET.get("window", "")
    window = None
    if window_id:
        if not window_id.isdigit():
            raise BookingsError("未找到该窗口", code=BookingsErrorCode.NOT_FOUND)
        window = selectors.window_get_for_officer(staff=staff, window_id=int(window_id))
    return _queue_page(request, staff, window)


@staff_required(Role.WINDOW_OFFICER)
@require_POST
def call_next(request: HttpRequest, staff: Staff, window_id: int) -> HttpResponse:
    window = selectors.window_get_for_officer(staff=staff, window_id=window_id)
    try:
        ticket = services.ticket_call_next(officer=staff, window=window)
    except YiwangError as exc:
        return _queue_page(request, staff, window, error=exc.message, status=exc.status)
    messages.success(request, f"请 {ticket.code} 号到 {window.number} 窗口办理")
    return _back(window)


@staff_required(Role.WINDOW_OFFICER)
@require_POST
def ticket_action(request: HttpRequest, staff: Staff, ticket_id: int, action: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_officer(staff=staff, ticket_id=ticket_id)
    window = ticket.window
    if window is None:  # the selector finds tickets by their calling window: never here
        raise BookingsError("未找到该号码", code=BookingsErrorCode.NOT_FOUND)
    moves = {
        TicketAction.RECALL: services.ticket_recall,
        TicketAction.SKIP: services.ticket_skip,
        TicketAction.FINISH: services.ticket_finish,
    }
    move = moves.get(action)  # type: ignore[call-overload]
    if move is None:
        raise BookingsError("不支持该操作", code=BookingsErrorCode.NOT_FOUND)
    try:
        move(officer=staff, ticket=ticket)
    except YiwangError as exc:
        return _queue_page(request, staff, window, error=exc.message, status=exc.status)
    messages.success(request, f"{ticket.code}：{TICKET_ACTION_LABELS[TicketAction(action)]}")
    return _back(window)


@staff_required(Role.WINDOW_OFFICER)
@require_POST
def check_in(request: HttpRequest, staff: Staff, window_id: int) -> HttpResponse:
    """An officer checks a booked person in at the hall of their window (e.g. no kiosk)."""
    window = selectors.window_get_for_officer(staff=staff, window_id=window_id)
    try:
        ticket = services.booking_check_in(
            code=request.POST.get("code", ""),
            hall=window.hall,
            actor=actor_label(staff.user),
            officer=staff,
        )
    except YiwangError as exc:
        return _queue_page(request, staff, window, error=exc.message, status=exc.status)
    messages.success(request, f"签到成功，排队号 {ticket.code}")
    return _back(window)
