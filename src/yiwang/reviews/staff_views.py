"""Review pages of the staff workbench: the rectification tickets of bad reviews (list, one
ticket with one form per action the viewer may take), the supervisors' supervision page, and
the indicator pages with their charts.

Every read goes through `selectors` (a department's staff see its tickets, a supervisor those
of their region; anything else is a 404) and every POST calls exactly one service, whose refusal
is shown on the page with nothing changed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
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
from yiwang.reviews import charts, rules, selectors, services
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import (
    ON_SITE_INDICATORS,
    ONLINE_INDICATORS,
    Occasion,
    Resolution,
    Review,
    Ticket,
    TicketState,
)
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


def _tabs(roles: set[str]) -> dict[str, bool]:
    """Which of the review pages the staff member may open (the tab bar)."""
    return {
        "can_supervise": Role.SUPERVISOR in roles,
        "can_indicators": bool(roles & {Role.SUPERVISOR.value, Role.APPROVER.value}),
    }


# --- Forms: they only parse; the services check what a ticket needs ------------------------------


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class VisitForm(forms.Form):
    method = forms.ChoiceField(
        label="回访方式",
        required=False,
        choices=[("", "请选择"), *services.VISIT_METHODS.items()],
    )
    note = _text("回访情况（核实结果）")


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="处理方式", required=False, choices=Resolution.choices, widget=forms.RadioSelect
    )
    ledger_due_on = forms.DateField(
        label="台账整改期限",
        required=False,
        help_text="建立台账限期整改时填写，不晚于工单整改期限",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    outcome = _text("处理结果（建立台账时填写整改计划）")


class OutcomeForm(forms.Form):
    outcome = _text("整改结果")


class AppealForm(forms.Form):
    reason = _text("申诉理由（误评、恶意差评的事实和依据）")


class CloseForm(forms.Form):
    note = _text("办结意见（选填）")


class SendBackForm(forms.Form):
    note = _text("退回理由")


class DecideForm(forms.Form):
    upheld = forms.ChoiceField(
        label="复核结论",
        choices=[
            ("yes", "申诉成立：该评价不计入指标（记录保留）"),
            ("no", "申诉不成立：工单恢复办理"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择复核结论", "invalid_choice": "请选择复核结论"},
    )
    note = _text("复核意见")


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
    TicketAction.VISIT: Spec("回访核实", VisitForm, (TicketState.OPEN,), "department"),
    TicketAction.RESOLVE: Spec("处理", ResolveForm, (TicketState.VISITED,), "department"),
    TicketAction.RECTIFIED: Spec(
        "报告整改结果", OutcomeForm, (TicketState.RECTIFYING,), "department"
    ),
    TicketAction.APPEAL: Spec(
        "申诉", AppealForm, (TicketState.OPEN, TicketState.VISITED), "approver"
    ),
    TicketAction.CLOSE: Spec("办结", CloseForm, (TicketState.HANDLED,), "supervisor"),
    TicketAction.SEND_BACK: Spec("退回", SendBackForm, (TicketState.HANDLED,), "supervisor"),
    TicketAction.DECIDE: Spec("申诉复核", DecideForm, (TicketState.APPEALED,), "supervisor"),
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
        **_tabs(roles),
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
        **_tabs(roles),
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
        **_tabs(staff_roles(staff)),
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


# --- Indicators --------------------------------------------------------------------------------

GROUP_LABELS = {"department": "部门", "officer": "窗口工作人员", "item": "事项", "region": "区划"}
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
BAR_LIMIT = 20  # departments in the bar chart (the table lists them all)
TREND_MONTHS = 12


def parse_month(value: str | None, *, default: dt.date, field: str) -> dt.date:
    """“2025-09” → 2025-09-01; empty → `default`; anything else is refused in Chinese."""
    if not value:
        return default
    match = MONTH_RE.match(value.strip())
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    message = "月份格式应为“年-月”，例如 2025-09"
    raise ReviewError(ReviewErrorCode.INVALID, message=message, fields={field: [message]})


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


@dataclass(frozen=True)
class Shown:
    """An indicator row as the page writes it (“—” for a rate of nothing)."""

    rank: int
    name: str
    total: int
    active_rate: str
    satisfaction_rate: str
    bad: int
    visit_rate: str
    rectification_rate: str
    average: str

    @classmethod
    def of(cls, rank: int, name: str, ind: rules.Indicators) -> Shown:
        return cls(
            rank, name, ind.total, percent(ind.active_rate), percent(ind.satisfaction_rate),
            ind.bad, percent(ind.visit_rate), percent(ind.rectification_rate),
            "—" if ind.average is None else str(ind.average),
        )  # fmt: skip


def _indicator_scope(staff: Staff, roles: set[str]) -> tuple[str, int | None, str]:
    """(region prefix, department id, what the figures cover): a supervisor's region, a
    department head's department."""
    if Role.SUPERVISOR in roles:
        region = staff.department.region.name
        return staff.region_prefix, None, f"{region}（本级及下辖区划）"
    if Role.APPROVER in roles:
        return staff.region_prefix, staff.department_id, staff.department.name
    raise ReviewError(
        ReviewErrorCode.NOT_ALLOWED, message="此页面需要“电子监察员”或“审批人（部门负责人）”角色"
    )


@staff_required()
@require_GET
def indicators(request: HttpRequest, staff: Staff) -> HttpResponse:
    """好差评指标: the table of a period grouped by department / officer / matter / region, in
    ranking order, the twelve months up to its end, and the charts."""
    roles = staff_roles(staff)
    region_prefix, department_id, scope = _indicator_scope(staff, roles)
    group = request.GET.get("group") or "department"
    if group not in GROUP_LABELS:
        message = "统计维度应为部门、窗口工作人员、事项或区划"
        raise ReviewError(ReviewErrorCode.INVALID, message=message, fields={"group": [message]})
    this_month = timezone.localdate().replace(day=1)
    month_to = parse_month(request.GET.get("to"), default=this_month, field="to")
    month_from = parse_month(request.GET.get("from"), default=month_to, field="from")
    if month_from > month_to:
        message = "起始月份不能晚于截止月份"
        raise ReviewError(ReviewErrorCode.INVALID, message=message, fields={"from": [message]})

    def ranked(by: str) -> list[selectors.IndicatorRow]:
        return selectors.indicator_table(
            group=by, month_from=month_from, month_to=month_to, region_prefix=region_prefix,
            department_id=department_id,
        )  # fmt: skip

    table = ranked(group)
    by_department = table if group == "department" else ranked("department")
    total = selectors.indicator_total(
        month_from=month_from, month_to=month_to, region_prefix=region_prefix,
        department_id=department_id,
    )  # fmt: skip
    months = selectors.months_back(month_to, TREND_MONTHS)
    trend = selectors.indicator_trend(
        months=months, region_prefix=region_prefix, department_id=department_id
    )
    labels = [f"{month:%Y-%m}" for month in months]
    span = f"{month_from:%Y-%m}" + ("" if month_from == month_to else f" 至 {month_to:%Y-%m}")
    context = {
        "staff": staff,
        **_tabs(roles),
        "tab": "indicators",
        "scope": scope,
        "group": group,
        "groups": GROUP_LABELS.items(),
        "group_label": GROUP_LABELS[group],
        "month_from": f"{month_from:%Y-%m}",
        "month_to": f"{month_to:%Y-%m}",
        "span": span,
        "rows": [Shown.of(n, row.name, row.indicators) for n, row in enumerate(table, 1)],
        "total": Shown.of(0, "合计", total),
        "trend": [Shown.of(0, label, ind) for label, (_, ind) in zip(labels, trend, strict=True)],
        "bar_chart": charts.bar_chart(
            chart_id="chart-satisfaction",
            title=f"{span} 各部门满意率（按满意率排序，前 {BAR_LIMIT} 个部门）",
            bars=[(r.name, r.indicators.satisfaction_rate) for r in by_department[:BAR_LIMIT]],
        ),
        "line_chart": charts.line_chart(
            chart_id="chart-trend",
            title=f"近 {TREND_MONTHS} 个月满意率与差评整改率",
            labels=labels,
            series=[
                charts.Series("满意率", [i.satisfaction_rate for _, i in trend], "#b5121b"),
                charts.Series(
                    "差评整改率",
                    [i.rectification_rate for _, i in trend],
                    "#334155",
                    dash="6 4",
                    marker="square",
                ),
            ],
        ),
    }
    return render(request, "reviews/staff/indicators.html", context)


__all__ = [
    "indicators",
    "supervision",
    "ticket_act",
    "ticket_detail",
    "ticket_list",
]
