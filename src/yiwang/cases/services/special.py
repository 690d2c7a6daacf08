"""Special procedures (特别程序), which stop the clocks, and the extension (延长审批)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Role, Staff
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import Case, CasePause, CaseState, EventKind, PauseKind, SpecialKind
from yiwang.cases.services._common import (
    _event,
    _must,
    _notice,
    _now,
    _report,
    _require,
    _sms,
    _staff_transition,
)
from yiwang.cases.services.clock import case_clock_update
from yiwang.cases.states import Action
from yiwang.core.audit import audit_record

# --- Special procedure and extension ----------------------------------------------------------


def case_special_start(
    *,
    case: Case,
    officer: Staff,
    kind: str,
    reason: str,
    limit_days: int,
    now: dt.datetime | None = None,
) -> CasePause:
    """特别程序 (hearing, inspection, expert review …): the clocks stop; it has its own limit."""
    now = _now(now)
    reason = _require(reason, "启动特别程序的理由")
    if kind not in SpecialKind.values:
        raise CaseError(
            CaseErrorCode.SPECIAL_INVALID,
            message="请选择特别程序种类",
            fields={"kind": ["请选择特别程序种类"]},
        )
    if not 1 <= limit_days <= 365:
        raise CaseError(
            CaseErrorCode.SPECIAL_INVALID,
            message="特别程序时限应为 1 至 365 个工作日",
            fields={"limit_days": ["特别程序时限应为 1 至 365 个工作日"]},
        )
    with transaction.atomic():
        case, _, active = _staff_transition(Action.START_SPECIAL, case=case, officer=officer)
        active = _must(active)
        notice = _notice(
            case, "special", now=now,
            content={"kind": SpecialKind(kind).label, "reason": reason, "limit_days": limit_days},
        )  # fmt: skip
        pause = CasePause.objects.create(
            case=case, kind=PauseKind.SPECIAL, started_at=now, reason=reason, special_kind=kind,
            special_limit=limit_days, document_number=notice.document_number,
            resume_state=case.state,
        )  # fmt: skip
        from_state = case.state
        case.state = CaseState.SPECIAL
        case.paused = True
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.SPECIAL_STARTED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=from_state, step_name=active.name, opinion=reason,
            data={"kind": kind, "limit_days": limit_days, "document": notice.document_number},
        )  # fmt: skip
        _report(case, "step", f"case:{case.pk}:special:{pause.pk}", {"pause": pause.pk})
        _sms(case, "case_special", case_no=case.number or "", kind=SpecialKind(kind).label)
    return pause


def case_special_end(
    *, case: Case, officer: Staff, result: str, now: dt.datetime | None = None
) -> Case:
    now = _now(now)
    result = _require(result, "特别程序结果")
    with transaction.atomic():
        case, _, active = _staff_transition(Action.END_SPECIAL, case=case, officer=officer)
        active = _must(active)
        pause = case.pauses.get(ended_at__isnull=True, kind=PauseKind.SPECIAL)
        pause.ended_at, pause.result = now, result
        pause.save(update_fields=["ended_at", "result"])
        from_state = case.state
        case.state = CaseState.IN_PROGRESS
        case.paused = False
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.SPECIAL_ENDED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=from_state, step_name=active.name, opinion=result,
        )  # fmt: skip
        _report(case, "step", f"case:{case.pk}:special_end:{pause.pk}", {"pause": pause.pk})
    return case


def case_extend(
    *, case: Case, approver: Staff, days: int, reason: str, now: dt.datetime | None = None
) -> Case:
    """延长审批: once, by the department head (approver), up to the allowance."""
    now = _now(now)
    reason = _require(reason, "延长理由")
    if not 1 <= days <= rules.EXTENSION_MAX_DAYS:
        message = f"延长天数应为 1 至 {rules.EXTENSION_MAX_DAYS} 个工作日"
        raise CaseError(
            CaseErrorCode.EXTENSION_INVALID, message=message, fields={"days": [message]}
        )
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.EXTEND, case=case, officer=approver)
        case.extension_days, case.extended_at = days, now
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.EXTENDED, now=now, user=approver.user, actor_name=approver.name,
            actor_role=Role.APPROVER, from_state=case.state, opinion=reason, data={"days": days},
            step_name="延长审批",
        )  # fmt: skip
        audit_record(
            actor=approver.user.username, action="case.extend", object_type="case",
            object_id=case.pk, detail={"days": days, "number": case.number},
        )  # fmt: skip
        _sms(case, "case_extended", case_no=case.number or "", days=str(days))
    return case
