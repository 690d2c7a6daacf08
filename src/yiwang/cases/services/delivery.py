"""Delivery of the result (送达), and withdrawal (撤回) by the applicant before the decision."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Role, Staff, User
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import ActionCode, Case, CaseState, Delivery, EventKind, StepState
from yiwang.cases.services._common import _event, _lock, _now, _sms, _staff_transition, is_applicant
from yiwang.cases.states import Action, Actor, transition_check

# --- Delivery and withdrawal ------------------------------------------------------------------


def case_deliver(
    *, case: Case, officer: Staff, note: str = "", now: dt.datetime | None = None
) -> Case:
    """送达: picked up at the window, handed to the courier, or issued as an e-license."""
    now = _now(now)
    with transaction.atomic():
        case, steps, _ = _staff_transition(Action.DELIVER, case=case, officer=officer)
        for step in steps:
            if step.state != StepState.DONE:
                step.state, step.ended_at = StepState.DONE, now
                step.assignee = step.assignee or officer
                step.save()
        from_state = case.state
        case.state = CaseState.DELIVERED
        case.delivered_at = now
        case.save()
        method = Delivery(case.delivery).label
        _event(
            case, EventKind.DELIVERED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER, action=ActionCode.PASS, from_state=from_state,
            step_name="送达", opinion=note.strip(), data={"method": case.delivery},
        )  # fmt: skip
        _sms(case, "case_delivered", case_no=case.number or "", method=method)
    return case


def case_withdraw(
    *, case: Case, user: User, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """撤回 by the applicant before the decision."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        transition_check(Action.WITHDRAW, case=case, actor=Actor(is_applicant=True))
        case.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        case.steps.filter(state=StepState.ACTIVE).update(state=StepState.WAITING, assignee=None)
        from_state = case.state
        case.state = CaseState.WITHDRAWN
        case.paused = False
        case.closed_reason = reason.strip()[:500]
        case.save()
        _event(
            case, EventKind.WITHDRAWN, now=now, user=user,
            actor_name=user.display_name or case.applicant_name, from_state=from_state,
            opinion=reason.strip()[:500], step_name="撤回",
        )  # fmt: skip
    return case
