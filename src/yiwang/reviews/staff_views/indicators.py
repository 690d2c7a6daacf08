"""好差评指标 on the staff workbench: the indicator table of a period, grouped and ranked, the
twelve months up to its end and the charts. A supervisor sees their region, a department head
their department. `parse_month` and `Shown` also serve the public page (`public_views`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.reviews import charts, rules, selectors
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.staff_views.tickets import tabs
from yiwang.workbench.auth import staff_required

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
        **tabs(roles),
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
    "Shown",
    "indicators",
    "parse_month",
]
