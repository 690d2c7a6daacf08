"""Correction (补齐补正): the officer's one notice of everything missing, and the applicant's
resubmission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Role, Staff, User
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import ActionCode, Case, CasePause, CaseState, EventKind, PauseKind
from yiwang.cases.services._common import (
    _event,
    _lock,
    _notice,
    _now,
    _report,
    _sms,
    _staff_transition,
    is_applicant,
)
from yiwang.cases.services.applying import _correction_round, _material_of
from yiwang.cases.services.clock import case_clock_update
from yiwang.cases.states import Action, Actor, transition_check

# --- Correction (补齐补正) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing the applicant must supply or fix: a material (by its seq) or another point."""

    name: str
    problem: str
    material_seq: int | None = None


def _ground(entry: Mapping[str, Any]) -> str:
    seq = entry.get("material")
    return f"m:{seq}" if seq is not None else f"n:{str(entry.get('name', '')).strip()}"


def case_correction_request(
    *,
    case: Case,
    officer: Staff,
    missing: Iterable[Missing],
    now: dt.datetime | None = None,
) -> CasePause:
    """One notice listing everything missing; the clock stops until the applicant resubmits.
    Asking again for something already asked for is refused (一次性告知)."""
    now = _now(now)
    entries: list[dict[str, Any]] = []
    for point in missing:
        if not point.name.strip() or not point.problem.strip():
            raise CaseError(
                CaseErrorCode.CORRECTION_ITEMS_REQUIRED, message="每项补正内容都要写明材料和问题"
            )
        entries.append(
            {
                "material": point.material_seq,
                "name": point.name.strip(),
                "problem": point.problem.strip(),
            }
        )
    if not entries:
        raise CaseError(CaseErrorCode.CORRECTION_ITEMS_REQUIRED)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.REQUEST_CORRECTION, case=case, officer=officer)
        for entry in entries:
            if entry["material"] is not None:
                _material_of(case.version, entry["material"])
        asked = {
            _ground(e)
            for items in case.pauses.filter(kind=PauseKind.CORRECTION).values_list(
                "items", flat=True
            )
            for e in items
        }
        repeated = [e["name"] for e in entries if _ground(e) in asked]
        if repeated:
            raise CaseError(
                CaseErrorCode.CORRECTION_REPEATED,
                message="补正告知应一次性告知全部内容，以下内容已告知过，不能再次要求补正："
                + "、".join(repeated),
            )
        from_state = case.state
        notice = _notice(case, "correction", now=now, content={"missing": entries})
        pause = CasePause.objects.create(
            case=case,
            kind=PauseKind.CORRECTION,
            started_at=now,
            items=entries,
            document_number=notice.document_number,
            resume_state=from_state,
        )
        case.state = CaseState.CORRECTION
        case.paused = case.accepted_at is not None
        case.save()
        case_clock_update(case=case, now=now)
        step_name = active.name if active else "受理"
        _event(
            case,
            EventKind.CORRECTION_REQUESTED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=active.role if active else Role.WINDOW_OFFICER,
            action=ActionCode.RETURN,
            from_state=from_state,
            step_name=step_name,
            opinion="；".join(f"{e['name']}：{e['problem']}" for e in entries),
            data={"document_number": notice.document_number, "missing": entries},
        )
        _report(case, "step", f"case:{case.pk}:correction:{pause.pk}", {"event": "correction"})
        _sms(case, "case_correction", case_no=case.number or "")
    return pause


def case_correction_submit(
    *,
    case: Case,
    user: User,
    form_data: Mapping[str, Any] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """The applicant resubmits: each material named in the notice needs a new file of this
    round; the clock resumes and the case returns to where it was."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        transition_check(Action.CORRECT, case=case, actor=Actor(is_applicant=True))
        pause = case.pauses.get(ended_at__isnull=True, kind=PauseKind.CORRECTION)
        round_ = _correction_round(case)
        new_seqs = set(case.materials.filter(round=round_).values_list("material__seq", flat=True))
        missing = [
            e["name"]
            for e in pause.items
            if e.get("material") is not None and e["material"] not in new_seqs
        ]
        if missing:
            raise CaseError(
                CaseErrorCode.MATERIALS_MISSING,
                message="请上传补正告知书所列材料：" + "、".join(missing),
                fields={"materials": [f"请上传：{name}" for name in missing]},
            )
        if form_data:
            merged = {**case.form_data, **{str(k): str(v) for k, v in form_data.items()}}
            values, problems = rules.form_clean(case.version.form_schema, merged)
            if problems:
                raise CaseError(CaseErrorCode.FORM_INVALID, fields=problems)
            case.form_data = values
        replaced_seqs = new_seqs - {None}
        case.materials.filter(round__lt=round_, material__seq__in=replaced_seqs).update(
            replaced=True
        )
        pause.ended_at = now
        pause.result = note.strip()[:500]
        pause.save(update_fields=["ended_at", "result"])
        from_state = case.state
        case.state = pause.resume_state or CaseState.SUBMITTED
        case.paused = False
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case,
            EventKind.CORRECTED,
            now=now,
            user=user,
            actor_name=user.display_name or case.applicant_name,
            from_state=from_state,
            opinion=note.strip()[:500],
            step_name="补齐补正",
        )
        _report(case, "step", f"case:{case.pk}:corrected:{pause.pk}", {"event": "corrected"})
    return case
