"""The case's two clocks (promised and legal deadline) and its warning date."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.cases import rules
from yiwang.cases.models import CLOCK_STATES, Case
from yiwang.cases.services._common import _local_date, _now
from yiwang.core.workdays import WorkCalendar, calendar_between

# --- The clocks -------------------------------------------------------------------------------


def warning_rule() -> rules.WarningRule:
    return rules.WarningRule(
        days=settings.CASES_WARNING_DAYS, percent=settings.CASES_WARNING_PERCENT
    )


def _calendar_for(case: Case, today: dt.date) -> WorkCalendar:
    start = _local_date(case.accepted_at or timezone.now())
    limit = max(case.legal_limit, case.promised_limit) + case.extension_days
    paused_span = sum(
        ((p.ended_at or timezone.now()) - p.started_at).days + 1 for p in case.pauses.all()
    )
    end = max(start, today) + dt.timedelta(days=2 * limit + paused_span + 60)
    return calendar_between(start - dt.timedelta(days=1), end)


def case_clock_update(*, case: Case, now: dt.datetime | None = None) -> Case:
    """Recompute both deadlines and the warning date from acceptance, pauses and extension.
    Called on acceptance, every pause, resume and extension, and when a year's calendar loads."""
    if case.accepted_at is None:
        return case
    now = _now(now)
    today = _local_date(now)
    accepted_on = _local_date(case.accepted_at)
    pauses = [
        rules.Interval(_local_date(p.started_at), _local_date(p.ended_at) if p.ended_at else None)
        for p in case.pauses.all()
    ]
    calendar = _calendar_for(case, today)
    common = {
        "accepted_on": accepted_on,
        "extension": case.extension_days,
        "pauses": pauses,
        "today": today,
        "calendar": calendar,
        "rule": warning_rule(),
        "calendar_days": case.calendar_days,
    }
    promised = rules.clock(limit=case.promised_limit, **common)  # type: ignore[arg-type]
    legal = rules.clock(limit=case.legal_limit, **common)  # type: ignore[arg-type]
    case.promised_due_on = promised.due_on
    case.yellow_from = promised.yellow_from
    case.legal_due_on = legal.due_on
    case.due_provisional = promised.provisional or legal.provisional
    case.save(
        update_fields=[
            "promised_due_on",
            "yellow_from",
            "legal_due_on",
            "due_provisional",
            "updated_at",
        ]
    )
    return case


def cases_recompute_for_year(year: int) -> int:
    """The deadline recomputer registered with core: open cases whose deadlines rested on the
    plain weekdays of a year that has now been loaded."""
    changed = 0
    ids = Case.objects.filter(state__in=CLOCK_STATES, due_provisional=True).values_list(
        "pk", flat=True
    )
    for case_id in ids.iterator():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.promised_due_on, case.legal_due_on)
            case_clock_update(case=case)
            changed += (case.promised_due_on, case.legal_due_on) != before
    return changed
