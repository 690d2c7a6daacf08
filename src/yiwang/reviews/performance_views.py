"""Staff performance on the workbench (mounted at /workbench/performance/).

- A window officer signs in and out at a window and sees their own attendance of the month.
- A department head (approver) sees the monthly assessment of the department's window officers,
  enters leave days and the 德能勤绩廉 scores, and exports the report to Excel; a supervisor does
  the same for any department of their region. Anyone else gets 403; an officer or a department
  outside the viewer's scope is a 404.
Each POST calls exactly one service; the services refuse what the pages do not offer (scoring
oneself, a second sign-in)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.accounts.web import client_ip, form_error
from yiwang.core.errors import YiwangError
from yiwang.core.workdays import count_working_days
from yiwang.regions.models import Department, Window
from yiwang.reviews import excel, selectors, services
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import AbilityScore, Attendance
from yiwang.workbench.auth import staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_FORM = "请按提示修改后再提交"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_FORMAT = "月份应为“年-月”格式，如 2026-05"


# --- Months -----------------------------------------------------------------------------------


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _month(value: str | None, *, today: dt.date) -> dt.date:
    """The month a page is about (`?month=YYYY-MM`), this month by default; never a future one."""
    current = today.replace(day=1)
    if not value:
        return current
    match = MONTH_PATTERN.match(value.strip())
    if match is None or int(match[1]) < 2000 or not 1 <= int(match[2]) <= 12:
        raise ReviewError(
            ReviewErrorCode.INVALID, message=MONTH_FORMAT, fields={"month": [MONTH_FORMAT]}
        )
    month = dt.date(int(match[1]), int(match[2]), 1)
    if month > current:
        message = "不能选择未来的月份"
        raise ReviewError(ReviewErrorCode.INVALID, message=message, fields={"month": [message]})
    return month


def _working_days(month: dt.date, *, today: dt.date) -> int:
    """The month's working days; for the current month, those up to and including today."""
    end = min(_next_month(month) - dt.timedelta(days=1), today)
    return count_working_days(month - dt.timedelta(days=1), end).value


def _month_attendance(staff: Staff, month: dt.date) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        staff=staff, day__gte=month, day__lt=_next_month(month)
    ).select_related("window", "window__hall")


# --- The window officer: sign in, sign out ----------------------------------------------------


def _windows(officer: Staff) -> QuerySet[Window]:
    """Where an officer may sign in: the active windows of the halls of their region that serve
    their department or no department in particular."""
    return (
        Window.objects.filter(is_active=True, hall__region_prefix__startswith=officer.region_prefix)
        .filter(Q(department__isnull=True) | Q(department_id=officer.department_id))
        .select_related("hall")
        .order_by("hall__name", "number")
    )


def _attendance_page(
    request: HttpRequest, officer: Staff, *, error: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    month = today.replace(day=1)
    rows = list(_month_attendance(officer, month).order_by("day"))
    last_window = (
        Attendance.objects.filter(staff=officer, window__isnull=False)
        .order_by("-day")
        .values_list("window_id", flat=True)
        .first()
    )
    context = {
        "staff": officer,
        "today": today,
        "month": month,
        "today_row": next((row for row in rows if row.day == today), None),
        "rows": rows,
        "windows": _windows(officer),
        "last_window": last_window,
        "error": error,
    }
    return render(request, "reviews/performance/attendance.html", context, status=status)


@staff_required(Role.WINDOW_OFFICER)
@require_GET
def attendance(request: HttpRequest, officer: Staff) -> HttpResponse:
    """窗口签到: today's status, the sign-in / sign-out buttons and this month's attendance."""
    return _attendance_page(request, officer)


@staff_required(Role.WINDOW_OFFICER)
@require_POST
def sign_in(request: HttpRequest, officer: Staff) -> HttpResponse:
    window_id = request.POST.get("window", "")
    window = _windows(officer).filter(pk=window_id).first() if window_id.isdigit() else None
    if window is None:
        return _attendance_page(request, officer, error="请选择签到窗口", status=400)
    try:
        row = services.attendance_sign_in(staff=officer, window=window)
    except YiwangError as exc:
        return _attendance_page(request, officer, error=exc.message, status=exc.status)
    signed_at = timezone.localtime(row.signed_in_at).strftime("%H:%M")
    messages.success(request, f"已在{window.hall.name}{window.number}号窗口签到（{signed_at}）")
    return redirect("performance:attendance")


@staff_required(Role.WINDOW_OFFICER)
@require_POST
def sign_out(request: HttpRequest, officer: Staff) -> HttpResponse:
    try:
        row = services.attendance_sign_out(staff=officer)
    except YiwangError as exc:
        return _attendance_page(request, officer, error=exc.message, status=exc.status)
    messages.success(request, f"已签退（{timezone.localtime(row.signed_out_at):%H:%M}）")
    return redirect("performance:attendance")


# --- Heads and supervisors: whom they see -----------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A department head sees their department's window officers; a supervisor, their region's."""

    manager: Staff
    region_wide: bool

    def officers(self) -> QuerySet[Staff]:
        query = Staff.objects.filter(roles__role=Role.WINDOW_OFFICER).distinct()
        if self.region_wide:
            return query.filter(region_prefix__startswith=self.manager.region_prefix)
        return query.filter(department_id=self.manager.department_id)

    def departments(self) -> QuerySet[Department]:
        if not self.region_wide:
            return Department.objects.filter(pk=self.manager.department_id)
        with_officers = Staff.objects.filter(roles__role=Role.WINDOW_OFFICER).values(
            "department_id"
        )
        return Department.objects.filter(
            region_prefix__startswith=self.manager.region_prefix,
            is_active=True,
            pk__in=with_officers,
        ).order_by("region_prefix", "name")


def _scope(staff: Staff) -> Scope:
    roles = staff_roles(staff)
    if Role.SUPERVISOR in roles:
        return Scope(staff, region_wide=True)
    if Role.APPROVER in roles:
        return Scope(staff, region_wide=False)
    raise ReviewError(
        ReviewErrorCode.NOT_ALLOWED, message="此页面需要“审批人（部门负责人）”或“电子监察员”角色"
    )


def _department(scope: Scope, raw: str | None) -> tuple[Department | None, list[Department]]:
    """The department chosen (`?department=`; the first one by default) and the choices."""
    departments = list(scope.departments())
    if not raw:
        return (departments[0] if departments else None), departments
    chosen = next((d for d in departments if str(d.pk) == raw), None)
    if chosen is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="未找到该部门，或您无权查看")
    return chosen, departments


def _officer(scope: Scope, staff_id: int) -> Staff:
    officer = scope.officers().select_related("department").filter(pk=staff_id).first()
    if officer is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="未找到该工作人员，或您无权查看")
    return officer


def _lines(department: Department, month: dt.date, *, today: dt.date) -> list[excel.ReportLine]:
    assessments = selectors.assessment(department_id=department.pk, month=month)
    return excel.report_lines(assessments, working_days=_working_days(month, today=today))


# --- The overview and the export --------------------------------------------------------------


@staff_required()
@require_GET
def overview(request: HttpRequest, staff: Staff) -> HttpResponse:
    """月度考核: one row per window officer of the chosen department and month."""
    scope = _scope(staff)
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today=today)
    department, departments = _department(scope, request.GET.get("department"))
    context = {
        "staff": staff,
        "month": month,
        "current_month": today.replace(day=1),
        "department": department,
        "departments": departments,
        "region_wide": scope.region_wide,
        "lines": _lines(department, month, today=today) if department else [],
        "working_days": _working_days(month, today=today),
        "formula_notes": excel.FORMULA_NOTES,
    }
    return render(request, "reviews/performance/overview.html", context)


@staff_required()
@require_GET
def export(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The overview as an .xlsx file."""
    scope = _scope(staff)
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today=today)
    department, _ = _department(scope, request.GET.get("department"))
    if department is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="本区划暂无窗口工作人员")
    data = excel.assessment_workbook(
        department_name=department.name,
        month=month,
        lines=_lines(department, month, today=today),
    )
    services.assessment_exported(
        staff=staff, department=department, month=month, source_ip=client_ip(request)
    )
    response = HttpResponse(data, content_type=XLSX)
    filename = f"月度考核-{department.name}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- One officer: leave and scores ------------------------------------------------------------

SCORE_ERROR = "评分应为 0 至 100 的整数"


class LeaveForm(forms.Form):
    day = forms.DateField(
        label="请假日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择请假日期", "invalid": "请假日期格式不正确"},
    )
    note = forms.CharField(
        label="请假事由",
        max_length=200,
        error_messages={"required": "请填写请假事由", "max_length": "请假事由不能超过 200 字"},
    )


def _score_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        error_messages={
            "required": f"请填写“{label}”的评分",
            "invalid": SCORE_ERROR,
            "min_value": SCORE_ERROR,
            "max_value": SCORE_ERROR,
        },
    )


class ScoreForm(forms.Form):
    morality = _score_field("德")
    ability = _score_field("能")
    diligence = _score_field("勤")
    performance = _score_field("绩")
    integrity = _score_field("廉")
    note = forms.CharField(
        label="说明",
        max_length=300,
        required=False,
        error_messages={"max_length": "说明不能超过 300 字"},
    )


def _score_initial(score: AbilityScore | None) -> dict[str, Any]:
    if score is None:
        return {}
    return {field: getattr(score, field) for field in [*services.SCORE_FIELDS, "note"]}


def _officer_page(
    request: HttpRequest,
    manager: Staff,
    officer: Staff,
    month: dt.date,
    *,
    leave_form: LeaveForm | None = None,
    score_form: ScoreForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    score = AbilityScore.objects.filter(staff=officer, month=month).select_related("scored_by")
    current = score.first()
    context = {
        "staff": manager,
        "officer": officer,
        "month": month,
        "rows": _month_attendance(officer, month).order_by("day"),
        "score": current,
        "is_self": manager.pk == officer.pk,
        "leave_form": leave_form or LeaveForm(),
        "score_form": score_form or ScoreForm(initial=_score_initial(current)),
        "error": error,
    }
    return render(request, "reviews/performance/officer.html", context, status=status)


def _officer_url(officer: Staff, month: dt.date) -> str:
    return f"{reverse('performance:officer', args=[officer.pk])}?month={month:%Y-%m}"


@staff_required()
@require_GET
def officer_detail(request: HttpRequest, staff: Staff, staff_id: int) -> HttpResponse:
    """One officer's month: attendance, the leave form and the 德能勤绩廉 form."""
    officer = _officer(_scope(staff), staff_id)
    month = _month(request.GET.get("month"), today=timezone.localdate())
    return _officer_page(request, staff, officer, month)


@staff_required()
@require_POST
def leave(request: HttpRequest, staff: Staff, staff_id: int) -> HttpResponse:
    officer = _officer(_scope(staff), staff_id)
    month = _month(request.GET.get("month"), today=timezone.localdate())
    form = LeaveForm(request.POST)
    if not form.is_valid():
        return _officer_page(
            request, staff, officer, month, leave_form=form, error=ERROR_FORM, status=400
        )
    try:
        row = services.attendance_leave(
            manager=staff,
            staff=officer,
            day=form.cleaned_data["day"],
            note=form.cleaned_data["note"],
        )
    except YiwangError as exc:
        form_error(form, exc)
        return _officer_page(
            request, staff, officer, month, leave_form=form, error=exc.message, status=exc.status
        )
    messages.success(request, f"已登记{officer.name} {row.day:%Y-%m-%d} 请假")
    return redirect(_officer_url(officer, month))


@staff_required()
@require_POST
def scores(request: HttpRequest, staff: Staff, staff_id: int) -> HttpResponse:
    officer = _officer(_scope(staff), staff_id)
    month = _month(request.GET.get("month"), today=timezone.localdate())
    form = ScoreForm(request.POST)
    if not form.is_valid():
        return _officer_page(
            request, staff, officer, month, score_form=form, error=ERROR_FORM, status=400
        )
    data = form.cleaned_data
    try:
        services.ability_score_set(
            manager=staff, staff=officer, month=month, note=data["note"],
            scores={field: data[field] for field in services.SCORE_FIELDS},
        )  # fmt: skip
    except YiwangError as exc:
        form_error(form, exc)
        return _officer_page(
            request, staff, officer, month, score_form=form, error=exc.message, status=exc.status
        )
    messages.success(request, f"已保存{officer.name} {month.year}年{month.month}月的德能勤绩廉评分")
    return redirect(_officer_url(officer, month))
