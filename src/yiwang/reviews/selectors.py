"""Review reads, each with its scope: indicators per department / officer / matter / region and
month (public ones without personal data), tickets for a department or a supervisor, and the
monthly staff assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.cases.models import Case
from yiwang.cases.rules import light
from yiwang.catalog.models import ImplementationItem
from yiwang.core.workdays import calendar_between
from yiwang.regions.models import Department, Region
from yiwang.reviews import rules
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import (
    AbilityScore,
    Attendance,
    Review,
    Ticket,
    TicketState,
)

BAD = ["4", "5"]
GROUPS = {
    "department": "department_id",
    "officer": "officer_id",
    "item": "item_id",
    "region": "department__region_id",
}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """`count` month starts ending with `month`, oldest first."""
    result, current = [], month_start(month)
    for _ in range(count):
        result.append(current)
        current = (current - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(result))


def counted_reviews(*, region_prefix: str = "") -> QuerySet[Review]:
    """The reviews indicators count: the latest evaluation of each occasion, minus appeals
    upheld."""
    query = Review.objects.filter(superseded=False, excluded=False)
    if region_prefix:
        query = query.filter(region_prefix__startswith=region_prefix)
    return query


def _aggregates() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "active": Count("pk", filter=Q(is_default=False)),
        **{f"level{n}": Count("pk", filter=Q(level=str(n))) for n in range(1, 6)},
        "bad_visited": Count("pk", filter=Q(level__in=BAD, ticket__visited_at__isnull=False)),
        "bad_rectified": Count("pk", filter=Q(level__in=BAD, ticket__state=TicketState.CLOSED)),
    }


def _counts(row: dict[str, Any]) -> rules.Counts:
    return rules.Counts(**{k: row[k] for k in rules.Counts.__dataclass_fields__})


@dataclass(frozen=True)
class IndicatorRow:
    key: Any
    name: str
    indicators: rules.Indicators


def _names(group: str, keys: list[Any]) -> dict[Any, str]:
    if group == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "officer":
        return dict(Staff.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "item":
        return dict(ImplementationItem.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))


def indicator_table(
    *,
    group: str,
    month_from: dt.date,
    month_to: dt.date,
    region_prefix: str = "",
    department_id: int | None = None,
) -> list[IndicatorRow]:
    """One row per department / officer / matter / region, ranked by satisfaction then count."""
    column = GROUPS[group]
    query = counted_reviews(region_prefix=region_prefix).filter(
        month__gte=month_start(month_from), month__lte=month_start(month_to)
    )
    if department_id is not None:
        query = query.filter(department_id=department_id)
    if group == "officer":
        query = query.filter(officer__isnull=False)
    if group == "item":
        query = query.filter(item__isnull=False)
    rows = list(query.values(key=F(column)).annotate(**_aggregates()).order_by())
    names = _names(group, [row["key"] for row in rows])
    table = [
        IndicatorRow(row["key"], names.get(row["key"], "—"), rules.indicators(_counts(row)))
        for row in rows
    ]
    table.sort(key=lambda r: (-(r.indicators.satisfaction_rate or 0), -r.indicators.total, r.name))
    return table


def indicator_total(
    *,
    month_from: dt.date,
    month_to: dt.date,
    region_prefix: str = "",
    department_id: int | None = None,
) -> rules.Indicators:
    query = counted_reviews(region_prefix=region_prefix).filter(
        month__gte=month_start(month_from), month__lte=month_start(month_to)
    )
    if department_id is not None:
        query = query.filter(department_id=department_id)
    return rules.indicators(_counts(query.aggregate(**_aggregates())))


def indicator_trend(
    *, months: list[dt.date], region_prefix: str = "", department_id: int | None = None
) -> list[tuple[dt.date, rules.Indicators]]:
    query = counted_reviews(region_prefix=region_prefix).filter(
        month__gte=months[0], month__lte=months[-1]
    )
    if department_id is not None:
        query = query.filter(department_id=department_id)
    by_month = {
        row["month"]: row for row in query.values("month").annotate(**_aggregates()).order_by()
    }
    empty = rules.Counts()
    return [
        (month, rules.indicators(_counts(by_month[month]) if month in by_month else empty))
        for month in months
    ]


# --- Public rectifications --------------------------------------------------------------------


def public_rectifications(*, month: dt.date, region_prefix: str = "") -> QuerySet[Ticket]:
    """Closed tickets of a month for publication (no rater, no officer names: the page shows
    the department, the matter, the date, the resolution and the masked outcome)."""
    start = month_start(month)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    query = Ticket.objects.filter(
        state=TicketState.CLOSED,
        closed_at__date__gte=start,
        closed_at__date__lt=end,
        review__excluded=False,
    )
    if region_prefix:
        query = query.filter(region_prefix__startswith=region_prefix)
    return query.select_related("department", "review__item").order_by(
        "department__name", "closed_at"
    )


# --- Tickets ----------------------------------------------------------------------------------


def tickets_for_staff(*, staff: Staff) -> QuerySet[Ticket]:
    """A department's staff see its tickets; a supervisor sees every ticket of their region."""
    roles = staff_roles(staff)
    query = Ticket.objects.select_related("review", "department", "review__item")
    if Role.SUPERVISOR in roles:
        return query.filter(region_prefix__startswith=staff.region_prefix)
    return query.filter(department_id=staff.department_id)


def ticket_for_staff(*, staff: Staff, ticket_id: int) -> Ticket:
    ticket = tickets_for_staff(staff=staff).filter(pk=ticket_id).first()
    if ticket is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND)
    return ticket


def ticket_light(ticket: Ticket, *, today: dt.date | None = None) -> str:
    return light(
        counting=ticket.state != TicketState.CLOSED,
        paused=ticket.state == TicketState.APPEALED,
        due_on=ticket.due_on,
        yellow_from=ticket.yellow_from,
        today=today or timezone.localdate(),
    )


def tickets_overdue(*, region_prefix: str, today: dt.date | None = None) -> QuerySet[Ticket]:
    """Supervision: open tickets past their deadline (red), most overdue first."""
    today = today or timezone.localdate()
    return (
        Ticket.objects.filter(region_prefix__startswith=region_prefix, due_on__lt=today)
        .exclude(state__in=[TicketState.CLOSED, TicketState.APPEALED])
        .select_related("department")
        .order_by("due_on")
    )


# --- Staff assessment -------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    staff: Staff
    days_present: int
    days_leave: int
    ratings: rules.Indicators
    cases_handled: int
    average_days: float | None
    scores: AbilityScore | None

    @property
    def score_total(self) -> float | None:
        if self.scores is None:
            return None
        s = self.scores
        return (s.morality + s.ability + s.diligence + s.performance + s.integrity) / 5


def assessment(*, department_id: int, month: dt.date) -> list[Assessment]:
    """The monthly assessment of a department's window officers: attendance, ratings, handling
    volume and speed (accepted → completed, calendar days), and the head's ability scores."""
    start = month_start(month)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    officers = list(
        Staff.objects.filter(department_id=department_id, roles__role=Role.WINDOW_OFFICER)
        .distinct()
        .order_by("name")
    )
    ids = [o.pk for o in officers]
    # Leave counts on working days only: a leave row on a weekend or holiday changes nothing.
    calendar = calendar_between(start, end)
    days: dict[int, dict[str, int]] = {}
    rows = Attendance.objects.filter(staff_id__in=ids, day__gte=start, day__lt=end)
    for staff_id, kind, day in rows.values_list("staff_id", "kind", "day"):
        counts = days.setdefault(staff_id, {"present": 0, "leave": 0})
        if kind == Attendance.Kind.PRESENT:
            counts["present"] += 1
        elif calendar.is_working_day(day):
            counts["leave"] += 1
    rated = {
        row["officer_id"]: row
        for row in counted_reviews()
        .filter(officer_id__in=ids, month=start)
        .values("officer_id")
        .annotate(**_aggregates())
        .order_by()
    }
    handled = {
        row["accepted_by_id"]: row
        for row in Case.objects.filter(
            accepted_by_id__in=ids, completed_at__date__gte=start, completed_at__date__lt=end
        )
        .values("accepted_by_id")
        .annotate(count=Count("pk"), speed=Avg(F("completed_at") - F("accepted_at")))
        .order_by()
    }
    scores = {s.staff_id: s for s in AbilityScore.objects.filter(staff_id__in=ids, month=start)}
    result = []
    for officer in officers:
        speed = handled.get(officer.pk, {}).get("speed")
        average = speed.total_seconds() / 86400 if isinstance(speed, dt.timedelta) else None
        result.append(
            Assessment(
                staff=officer,
                days_present=days.get(officer.pk, {}).get("present", 0),
                days_leave=days.get(officer.pk, {}).get("leave", 0),
                ratings=rules.indicators(
                    _counts(rated[officer.pk]) if officer.pk in rated else rules.Counts()
                ),
                cases_handled=handled.get(officer.pk, {}).get("count", 0),
                average_days=round(average, 1) if average is not None else None,
                scores=scores.get(officer.pk),
            )
        )
    return result
