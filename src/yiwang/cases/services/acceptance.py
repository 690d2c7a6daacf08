"""Acceptance (受理) or refusal (不予受理) of a submitted case."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Role, Staff
from yiwang.cases.models import ActionCode, Case, CaseState, CaseStep, EventKind
from yiwang.cases.services._common import (
    _event,
    _notice,
    _now,
    _report,
    _require,
    _sms,
    _staff_transition,
    _step_activate,
    _step_done,
)
from yiwang.cases.services.clock import case_clock_update
from yiwang.cases.states import Action
from yiwang.catalog.codes import TimeUnit

# --- Acceptance -------------------------------------------------------------------------------


def case_accept(
    *, case: Case, officer: Staff, opinion: str = "", now: dt.datetime | None = None
) -> Case:
    """受理: the clocks start (counting from the next working day), the first review step opens."""
    now = _now(now)
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.ACCEPT, case=case, officer=officer)
        version = case.version
        catalog_steps = list(version.steps.order_by("order")) or []
        definitions = [(s.order, s.name, s.role, s.limit) for s in catalog_steps] or [
            (1, "受理", Role.WINDOW_OFFICER, 1),
            (2, "审查决定", Role.APPROVER, max(version.promised_limit - 1, 0)),
        ]
        steps = CaseStep.objects.bulk_create(
            CaseStep(
                case=case, department_id=case.department_id, order=o, name=n, role=r, limit=limit
            )
            for o, n, r, limit in definitions
        )
        first = steps[0]
        if first.role == Role.WINDOW_OFFICER and len(steps) > 1:
            first.assignee = officer
            _step_activate(first, now=now)
            _step_done(first, officer=officer, now=now)
            _step_activate(steps[1], now=now)
        else:
            _step_activate(first, now=now)
        from_state = case.state
        case.state = CaseState.IN_PROGRESS
        case.accepted_at, case.accepted_by = now, officer
        case.legal_limit, case.promised_limit = version.legal_limit, version.promised_limit
        case.calendar_days = version.promised_limit_unit == TimeUnit.CALENDAR_DAY
        case.save()
        case_clock_update(case=case, now=now)
        notice = _notice(
            case,
            "acceptance",
            now=now,
            content={"promised_on": str(case.promised_due_on), "opinion": opinion},
        )
        _event(
            case,
            EventKind.ACCEPTED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER,
            action=ActionCode.PASS,
            from_state=from_state,
            opinion=opinion,
            step_name="受理",
            data={"document_number": notice.document_number},
        )
        _report(
            case,
            "acceptance",
            f"case:{case.pk}:acceptance",
            {"document_number": notice.document_number},
        )
        days = str(version.promised_limit)
        _sms(case, "case_accepted", case_no=case.number or "", days=days)
    return case


def case_refuse(*, case: Case, officer: Staff, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理, with the reasons written into the notice."""
    now = _now(now)
    reason = _require(reason, "不予受理的理由")
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.REFUSE, case=case, officer=officer)
        from_state = case.state
        case.state = CaseState.REFUSED
        case.closed_reason = reason
        case.save()
        notice = _notice(case, "refusal", now=now, content={"reasons": [reason]})
        _event(
            case,
            EventKind.REFUSED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER,
            action=ActionCode.RETURN,
            from_state=from_state,
            opinion=reason,
            step_name="受理",
            data={"document_number": notice.document_number},
        )
        _report(
            case,
            "acceptance",
            f"case:{case.pk}:acceptance",
            {"document_number": notice.document_number, "reason": reason},
        )
        _sms(case, "case_refused", case_no=case.number or "")
    return case
