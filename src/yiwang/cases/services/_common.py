"""The pieces every case service shares: the time and the numbers, the locked case and its
steps, who may act, the event rows, the side effects (SMS, notices, upward reporting) written to
their outboxes in the caller's transaction, and what every staff transition begins with."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.utils import timezone

from yiwang.accounts.models import Staff, User
from yiwang.accounts.selectors import acting_enterprise_get, person_of, staff_roles
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import (
    ActionCode,
    Case,
    CaseEvent,
    CaseNotice,
    CaseStep,
    EventKind,
    StepState,
)
from yiwang.cases.states import Action, Actor, transition_check
from yiwang.core.errors import YiwangError
from yiwang.core.workdays import WorkCalendar, calendar_between

# The package's name, as when the services were one module (the name shows in the logs).
logger = logging.getLogger(__package__)

# --- Small shared pieces ----------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


_NEXT_SEQ_SQL = (
    'INSERT INTO "cases_dailycounter" ("key", "day", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key", "day") DO UPDATE SET "last" = "cases_dailycounter"."last" + 1 '
    'RETURNING "last"'
)


def _next_seq(*, key: str, day: dt.date) -> int:
    """The next number under `key` for `day`, one at a time across processes.

    One statement (PostgreSQL and SQLite ≥ 3.35 both have the upsert with RETURNING): the row
    is created or incremented and stays locked until the caller's transaction ends, so numbers
    are never given twice and a rolled-back number is given again."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ_SQL, [key, connection.ops.adapt_datefield_value(day)])
        (last,) = cursor.fetchone()
    return int(last)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("item", "version", "department")
        .get(pk=case.pk)
    )


def _steps(case: Case) -> tuple[list[CaseStep], CaseStep | None]:
    steps = list(case.steps.order_by("order"))
    active = next((s for s in steps if s.state == StepState.ACTIVE), None)
    return steps, active


def _must(step: CaseStep | None) -> CaseStep:
    # `transition_check` has refused step actions without an active step already.
    if step is None:
        raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message="办件没有待办环节")
    return step


def staff_actor(staff: Staff) -> Actor:
    return Actor(staff_id=staff.pk, roles=frozenset(staff_roles(staff)))


def _staff_case_check(case: Case, staff: Staff) -> None:
    """An officer acts on the cases of their own department only (others get 404)."""
    if case.department_id != staff.department_id:
        raise CaseError(CaseErrorCode.NOT_FOUND)


def is_applicant(case: Case, user: User) -> bool:
    """The account that applied, the person applied for, or (for an enterprise's case) anyone
    who may act for that enterprise now."""
    if not user.is_authenticated:
        return False
    if case.applicant_user_id == user.pk:
        return True
    person = person_of(user)
    if person is None:
        return False
    if case.enterprise_id is not None:
        try:
            acting_enterprise_get(person=person, enterprise_id=case.enterprise_id)
        except YiwangError:
            return False
        return True
    return case.person_id == person.pk


def _event(case: Case, kind: EventKind, **fields: Any) -> CaseEvent:
    """Record an event of the case now (the fields as `_event_row` takes them)."""
    event = _event_row(case, kind, **fields)
    event.save(force_insert=True)
    return event


def _event_row(
    case: Case,
    kind: EventKind,
    *,
    now: dt.datetime,
    user: User | None,
    actor_name: str,
    actor_role: str = "",
    action: str = ActionCode.OTHER,
    from_state: str = "",
    opinion: str = "",
    step_name: str = "",
    data: Mapping[str, Any] | None = None,
    public: bool = True,
    to_state: str | None = None,
) -> CaseEvent:
    """An event not yet saved (to_state: the case's state unless given)."""
    return CaseEvent(
        case=case,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=case.state if to_state is None else to_state,
        step_name=step_name,
        actor=user,
        actor_name=actor_name,
        actor_role=actor_role,
        opinion=opinion,
        data=dict(data or {}),
        public=public,
        at=now,
    )


def _sms(case: Case, template: str, **params: str) -> None:
    """Queue an SMS to the applicant; a refused SMS (e.g. rate limit) never undoes the case."""
    from yiwang.notify.services import sms_send

    try:  # a refusal leaves the transaction usable (`sms_send` raises it after its block)
        sms_send(phone=case.phone, template=template, params=params, category="case")
    except YiwangError as exc:
        logger.warning("case %s: SMS %s not queued (%s)", case.pk, template, exc.code)


def _notice(case: Case, kind: str, *, now: dt.datetime, content: Mapping[str, Any]) -> CaseNotice:
    """Number and record a notice; the PDF is rendered from this row (see `notices_pdf`)."""
    department = case.department
    # The full name: short names repeat across counties (县农业农村局), numbers must not.
    short = department.name
    year = _local_date(now).year
    seq = _next_seq(key=f"notice:{department.pk}:{kind}", day=dt.date(year, 1, 1))
    number = rules.document_number(department_short=short, kind=kind, year=year, seq=seq)
    return CaseNotice.objects.create(
        case=case, kind=kind, document_number=number, content=dict(content), issued_at=now
    )


def _report(case: Case, dataset: str, source_key: str, payload: Mapping[str, Any]) -> None:
    """Write one upward data set (GB/T 39046) to the reporting outbox, in this transaction."""
    from yiwang.cases.datasets import report

    report(case=case, dataset=dataset, source_key=source_key, payload=payload)


def _staff_transition(
    action: Action, *, case: Case, officer: Staff
) -> tuple[Case, list[CaseStep], CaseStep | None]:
    _staff_case_check(case, officer)
    case = _lock(case)
    steps, active = _steps(case)
    transition_check(action, case=case, actor=staff_actor(officer), active=active, steps=steps)
    return case, steps, active


def _require(text: str, what: str = "理由") -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(
            CaseErrorCode.REASON_REQUIRED,
            message=f"请填写{what}",
            fields={"reason": [f"请填写{what}"]},
        )
    return text


def _step_activate(
    step: CaseStep, *, now: dt.datetime, calendar: WorkCalendar | None = None
) -> None:
    step.state = StepState.ACTIVE
    step.started_at = now
    step.assignee = None
    today = _local_date(now)
    calendar = calendar or calendar_between(today, today + dt.timedelta(days=2 * step.limit + 40))
    step.due_on = calendar.add_working_days(today, step.limit).value
    step.save()


def _step_done(step: CaseStep, *, officer: Staff, now: dt.datetime) -> None:
    step.state = StepState.DONE
    step.ended_at = now
    step.assignee = step.assignee or officer
    step.save()
