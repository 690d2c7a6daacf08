"""Review pages of the staff workbench: the rectification tickets of bad reviews (list, one
ticket with one form per action the viewer may take; the forms are in `staff_forms`) and the
supervisors' supervision page. The indicator pages are in `indicators`.

Every read goes through `selectors` (a department's staff see its tickets, a supervisor those
of their region; anything else is a 404) and every POST calls exactly one service, whose refusal
is shown on the page with nothing changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.accounts.web import form_error
from yiwang.cases.selectors import cases_for_officer
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_name, mask_phone
from yiwang.reviews import selectors, services
from yiwang.reviews.models import (
    ON_SITE_INDICATORS,
    ONLINE_INDICATORS,
    Occasion,
    Review,
    Ticket,
    TicketState,
)
from yiwang.reviews.staff_views import forms as sf
from yiwang.workbench.auth import staff_required

PAGE_SIZE = 50
SUPERVISION_ROWS = 20  # per list on the supervision page; the ticket list has them all
ERROR_FORM = "请按提示修改后再提交"
DEPARTMENT_ROLES = {Role.WINDOW_OFFICER.value, Role.REVIEWER.value, Role.APPROVER.value}

# The light in words, so that it never rests on colour alone.
LIGHT_LABELS = {
    "green": "绿灯·正常",
    "yellow": "黄灯·预警",
    "red": "红灯·超期",
    "paused": "暂停计时·申诉中",
    "none": "已办结",
}
LIGHTS = ("green", "yellow", "red", "paused")
EVENT_LABELS = {
    "opened": "生成工单",
    "visited": "回访核实",
    "resolved": "处理",
    "rectified": "报告整改结果",
    "closed": "办结",
    "sent_back": "退回",
    "appealed": "申诉",
    "appeal_upheld": "申诉成立",
    "appeal_rejected": "申诉不成立",
}


def tabs(roles: set[str]) -> dict[str, bool]:
    """Which of the review pages the staff member may open (the tab bar)."""
    return {
        "can_supervise": Role.SUPERVISOR in roles,
        "can_indicators": bool(roles & {Role.SUPERVISOR.value, Role.APPROVER.value}),
    }


# --- What the viewer may do on a ticket --------------------------------------------------------


class TicketAction(StrEnum):
    VISIT = "visit"
    RESOLVE = "resolve"
    RECTIFIED = "rectified"
    APPEAL = "appeal"
    CLOSE = "close"
    SEND_BACK = "send_back"
    DECIDE = "decide"


@dataclass(frozen=True)
class Spec:
    label: str
    form: type[forms.Form]
    states: tuple[str, ...]
    who: str  # "department", "approver" or "supervisor" (as the services check it)


SPECS = {
    TicketAction.VISIT: Spec("回访核实", sf.VisitForm, (TicketState.OPEN,), "department"),
    TicketAction.RESOLVE: Spec("处理", sf.ResolveForm, (TicketState.VISITED,), "department"),
    TicketAction.RECTIFIED: Spec(
        "报告整改结果", sf.OutcomeForm, (TicketState.RECTIFYING,), "department"
    ),
    TicketAction.APPEAL: Spec(
        "申诉", sf.AppealForm, (TicketState.OPEN, TicketState.VISITED), "approver"
    ),
    TicketAction.CLOSE: Spec("办结", sf.CloseForm, (TicketState.HANDLED,), "supervisor"),
    TicketAction.SEND_BACK: Spec("退回", sf.SendBackForm, (TicketState.HANDLED,), "supervisor"),
    TicketAction.DECIDE: Spec("申诉复核", sf.DecideForm, (TicketState.APPEALED,), "supervisor"),
}


def _may(spec: Spec, ticket: Ticket, staff: Staff, roles: set[str]) -> bool:
    own = staff.department_id == ticket.department_id
    if spec.who == "department":
        return own and bool(roles & DEPARTMENT_ROLES)
    if spec.who == "approver":
        return own and Role.APPROVER in roles and not ticket.appeal
    return Role.SUPERVISOR in roles and ticket.region_prefix.startswith(staff.region_prefix)


def ticket_actions(ticket: Ticket, staff: Staff, roles: set[str]) -> list[TicketAction]:
    """The actions the page offers: the ticket's state allows them and the viewer may take them
    (the services check both again)."""
    return [
        action
        for action, spec in SPECS.items()
        if ticket.state in spec.states and _may(spec, ticket, staff, roles)
    ]


def _carry_out(action: TicketAction, *, ticket: Ticket, staff: Staff, data: dict[str, Any]) -> None:
    """Exactly one service per action."""
    if action == TicketAction.VISIT:
        services.ticket_visit(ticket=ticket, staff=staff, method=data["method"], note=data["note"])
    elif action == TicketAction.RESOLVE:
        services.ticket_resolve(
            ticket=ticket, staff=staff, resolution=data["resolution"], outcome=data["outcome"],
            ledger_due_on=data["ledger_due_on"],
        )  # fmt: skip
    elif action == TicketAction.RECTIFIED:
        services.ticket_rectified(ticket=ticket, staff=staff, outcome=data["outcome"])
    elif action == TicketAction.APPEAL:
        services.ticket_appeal(ticket=ticket, staff=staff, reason=data["reason"])
    elif action == TicketAction.CLOSE:
        services.ticket_close(ticket=ticket, supervisor=staff, note=data["note"])
    elif action == TicketAction.SEND_BACK:
        services.ticket_send_back(ticket=ticket, supervisor=staff, note=data["note"])
    elif action == TicketAction.DECIDE:
        services.ticket_appeal_decide(
            ticket=ticket, supervisor=staff, upheld=data["upheld"] == "yes", note=data["note"]
        )


# --- The ticket list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    light: str

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


STATE_FILTERS = [("pending", "未办结"), ("", "全部"), *TicketState.choices]


def _by_light(tickets: QuerySet[Ticket], light: str, today: dt.date) -> QuerySet[Ticket]:
    """The list's light filter in the database, as `selectors.ticket_light` reads a ticket."""
    if light == "paused":
        return tickets.filter(state=TicketState.APPEALED)
    live = tickets.exclude(state__in=[TicketState.CLOSED, TicketState.APPEALED])
    if light == "red":
        return live.filter(due_on__lt=today)
    if light == "yellow":
        return live.filter(due_on__gte=today, yellow_from__lte=today)
    if light == "green":
        return live.filter(yellow_from__gt=today, due_on__gte=today)
    return tickets


@staff_required()
@require_GET
def ticket_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    """差评整改工单: the department's tickets (a supervisor: the region's), filtered by state,
    light and, for a supervisor, department."""
    roles = staff_roles(staff)
    state = request.GET.get("state", "pending")
    state = state if state in {value for value, _ in STATE_FILTERS} else "pending"
    light = request.GET.get("light", "")
    light = light if light in LIGHTS else ""
    today = timezone.localdate()
    tickets = selectors.tickets_for_staff(staff=staff)
    departments: list[tuple[int, str]] = []
    department = request.GET.get("department", "")
    if Role.SUPERVISOR in roles:
        departments = list(
            tickets.order_by("department__name")
            .values_list("department_id", "department__name")
            .distinct()
        )
        if department.isdigit():
            tickets = tickets.filter(department_id=int(department))
    if state == "pending":
        tickets = tickets.exclude(state=TicketState.CLOSED)
    elif state:
        tickets = tickets.filter(state=state)
    tickets = _by_light(tickets, light, today).order_by("due_on", "pk")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "staff": staff,
        **tabs(roles),
        "tab": "tickets",
        "page": page,
        "rows": [TicketRow(t, selectors.ticket_light(t, today=today)) for t in page],
        "state": state,
        "states": STATE_FILTERS,
        "light": light,
        "lights": [("", "全部"), *((value, LIGHT_LABELS[value]) for value in LIGHTS)],
        "department": department,
        "departments": departments,
    }
    return render(request, "reviews/staff/tickets.html", context)


# --- One ticket --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionForm:
    action: TicketAction
    label: str
    form: forms.Form


def _state_label(state: str) -> str:
    return TicketState(state).label if state in TicketState.values else state


def _rater(review: Review) -> tuple[str, str]:
    """The rater as the department may see them: surname and masked phone, never more."""
    name = mask_name(review.rater.display_name) if review.rater_id and review.rater else ""
    return name or "未登录评价人", mask_phone(review.rater_phone) or "—"


def _ticket_page(
    request: HttpRequest,
    staff: Staff,
    ticket: Ticket,
    *,
    failed: tuple[TicketAction, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    roles = staff_roles(staff)
    review = ticket.review
    options = ONLINE_INDICATORS if review.occasion == Occasion.ONLINE else ON_SITE_INDICATORS
    case_visible = bool(
        review.case_id and cases_for_officer(officer=staff).filter(pk=review.case_id).exists()
    )
    rater_name, rater_phone = _rater(review)
    action_forms = [
        ActionForm(
            action,
            SPECS[action].label,
            failed[1] if failed and failed[0] == action else SPECS[action].form(prefix=action),
        )
        for action in ticket_actions(ticket, staff, roles)
    ]
    light = selectors.ticket_light(ticket)
    context = {
        "staff": staff,
        **tabs(roles),
        "tab": "tickets",
        "ticket": ticket,
        "review": review,
        "indicators": [options.get(code, code) for code in review.indicators],
        "rater_name": rater_name,
        "rater_phone": rater_phone,
        "case_visible": case_visible,
        "light": light,
        "light_label": LIGHT_LABELS[light],
        "events": [
            (event, EVENT_LABELS.get(event.action, event.action), _state_label(event.to_state))
            for event in ticket.events.order_by("at", "pk")
        ],
        "action_forms": action_forms,
        "error": error,
    }
    response = render(request, "reviews/staff/ticket.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _ticket(staff: Staff, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_for_staff(staff=staff, ticket_id=ticket_id)
    # What the page shows besides the ticket: the rated case, officer, window and the rater.
    return (
        Ticket.objects.select_related(
            "department",
            "review__item",
            "review__case",
            "review__officer",
            "review__window",
            "review__rater",
        )
        .filter(pk=ticket.pk)
        .get()
    )


@staff_required()
@require_GET
def ticket_detail(request: HttpRequest, staff: Staff, ticket_id: int) -> HttpResponse:
    return _ticket_page(request, staff, _ticket(staff, ticket_id))


@staff_required()
@require_POST
def ticket_act(request: HttpRequest, staff: Staff, ticket_id: int, action: str) -> HttpResponse:
    """One action on a ticket (回访核实, 处理, 办结 …): its form, then its one service."""
    ticket = _ticket(staff, ticket_id)
    if action not in SPECS:
        raise Http404
    chosen = TicketAction(action)
    form = SPECS[chosen].form(request.POST, prefix=chosen)
    if not form.is_valid():
        return _ticket_page(
            request, staff, ticket, failed=(chosen, form), error=ERROR_FORM, status=400
        )
    try:
        _carry_out(chosen, ticket=ticket, staff=staff, data=form.cleaned_data)
    except YiwangError as exc:
        form_error(form, exc)
        return _ticket_page(
            request, staff, _ticket(staff, ticket_id), failed=(chosen, form), error=exc.message,
            status=exc.status,
        )  # fmt: skip
    messages.success(request, f"{SPECS[chosen].label}：已办理")
    return redirect("reviews_staff:ticket", ticket_id=ticket.pk)


# --- Supervision -------------------------------------------------------------------------------


@staff_required(Role.SUPERVISOR)
@require_GET
def supervision(request: HttpRequest, staff: Staff) -> HttpResponse:
    """电子监察: overdue (red) and warned (yellow) tickets of the region, what waits for the
    supervisor (handled, appealed), and the counts per department."""
    today = timezone.localdate()
    tickets = selectors.tickets_for_staff(staff=staff)
    live = tickets.exclude(state__in=[TicketState.CLOSED, TicketState.APPEALED])
    overdue = selectors.tickets_overdue(region_prefix=staff.region_prefix, today=today)
    yellow = live.filter(due_on__gte=today, yellow_from__lte=today).order_by("due_on", "pk")
    waiting = tickets.filter(state__in=[TicketState.HANDLED, TicketState.APPEALED])
    counts = (
        tickets.values("department_id", "department__name")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=~Q(state=TicketState.CLOSED)),
            red=Count(
                "pk",
                filter=Q(due_on__lt=today)
                & ~Q(state__in=[TicketState.CLOSED, TicketState.APPEALED]),
            ),
            yellow=Count(
                "pk",
                filter=Q(due_on__gte=today, yellow_from__lte=today)
                & ~Q(state__in=[TicketState.CLOSED, TicketState.APPEALED]),
            ),
            waiting=Count("pk", filter=Q(state__in=[TicketState.HANDLED, TicketState.APPEALED])),
            closed=Count("pk", filter=Q(state=TicketState.CLOSED)),
        )
        .order_by("-red", "-yellow", "-pending", "department__name")
    )
    context = {
        "staff": staff,
        **tabs(staff_roles(staff)),
        "tab": "supervision",
        "today": today,
        "overdue": [(t, (today - t.due_on).days) for t in overdue[:SUPERVISION_ROWS]],
        "overdue_count": overdue.count(),
        "yellow": list(yellow[:SUPERVISION_ROWS]),
        "yellow_count": yellow.count(),
        "waiting": list(waiting.order_by("due_on", "pk")[:SUPERVISION_ROWS]),
        "waiting_count": waiting.count(),
        "counts": list(counts),
    }
    return render(request, "reviews/staff/supervision.html", context)


__all__ = [
    "supervision",
    "ticket_act",
    "ticket_detail",
    "ticket_list",
]
