"""The review steps inside `in_progress`: claim, release, pass, return, and the decision (办结)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Staff
from yiwang.cases.models import ActionCode, Case, CaseState, EventKind, StepState
from yiwang.cases.services._common import (
    _event,
    _must,
    _notice,
    _now,
    _report,
    _require,
    _sms,
    _staff_transition,
    _step_activate,
    _step_done,
)
from yiwang.cases.states import Action

# --- Review steps -----------------------------------------------------------------------------


def case_step_claim(*, case: Case, officer: Staff, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.CLAIM, case=case, officer=officer)
        active = _must(active)
        active.assignee = officer
        active.save(update_fields=["assignee"])
        _event(
            case, EventKind.STEP_CLAIMED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=case.state, step_name=active.name, public=False,
        )  # fmt: skip
    return case


def case_step_release(*, case: Case, officer: Staff, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.RELEASE, case=case, officer=officer)
        active = _must(active)
        active.assignee = None
        active.save(update_fields=["assignee"])
        _event(
            case, EventKind.STEP_RELEASED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=case.state, step_name=active.name, public=False,
        )  # fmt: skip
    return case


def case_step_pass(
    *, case: Case, officer: Staff, opinion: str = "", now: dt.datetime | None = None
) -> Case:
    """The active step passes (通过) and the next one opens."""
    now = _now(now)
    with transaction.atomic():
        case, steps, active = _staff_transition(Action.PASS, case=case, officer=officer)
        active = _must(active)
        _step_done(active, officer=officer, now=now)
        following = next(s for s in steps if s.order > active.order)
        _step_activate(following, now=now)
        _event(
            case, EventKind.STEP_PASSED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, action=ActionCode.PASS, from_state=case.state,
            step_name=active.name, opinion=opinion.strip(),
        )  # fmt: skip
        _report(
            case, "step", f"case:{case.pk}:step:{active.pk}:{now.timestamp()}", {"step": active.pk}
        )
    return case


def case_step_return(
    *, case: Case, officer: Staff, opinion: str, now: dt.datetime | None = None
) -> Case:
    """The active step goes back (退回) to the previous one, with the reason."""
    now = _now(now)
    opinion = _require(opinion, "退回意见")
    with transaction.atomic():
        case, steps, active = _staff_transition(Action.RETURN, case=case, officer=officer)
        active = _must(active)
        previous = [s for s in steps if s.order < active.order][-1]
        active.state, active.assignee, active.started_at, active.due_on = (
            StepState.WAITING, None, None, None,
        )  # fmt: skip
        active.save()
        _step_activate(previous, now=now)
        _event(
            case, EventKind.STEP_RETURNED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, action=ActionCode.RETURN, from_state=case.state,
            step_name=active.name, opinion=opinion, data={"to_step": previous.name},
        )  # fmt: skip
        _report(
            case,
            "step",
            f"case:{case.pk}:return:{active.pk}:{now.timestamp()}",
            {"step": active.pk},
        )
    return case


def case_decide(
    *,
    case: Case,
    officer: Staff,
    approved: bool,
    opinion: str = "",
    result_name: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """办结 at the deciding step: 准予 (approved) or 不予许可 (reasons required)."""
    now = _now(now)
    if not approved:
        opinion = _require(opinion, "不予许可的理由")
    with transaction.atomic():
        action = Action.APPROVE if approved else Action.DENY
        case, _, active = _staff_transition(action, case=case, officer=officer)
        active = _must(active)
        _step_done(active, officer=officer, now=now)
        from_state = case.state
        case.state = CaseState.COMPLETED
        case.completed_at = now
        case.approved = approved
        case.result_name = (result_name.strip() or case.version.result_name) if approved else ""
        case.closed_reason = "" if approved else opinion
        case.save()
        notice = _notice(
            case,
            "completion",
            now=now,
            content={
                "approved": approved,
                "result_name": case.result_name,
                "reasons": [opinion] if not approved else [],
            },
        )
        _event(
            case,
            EventKind.APPROVED if approved else EventKind.DENIED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=active.role,
            action=ActionCode.PASS if approved else ActionCode.RETURN,
            from_state=from_state,
            step_name=active.name,
            opinion=opinion.strip(),
            data={"document_number": notice.document_number},
        )
        _report(
            case, "step", f"case:{case.pk}:step:{active.pk}:{now.timestamp()}", {"step": active.pk}
        )
        _report(case, "completion", f"case:{case.pk}:completion", {})
        _sms(case, "case_completed", case_no=case.number or "")
    return case
