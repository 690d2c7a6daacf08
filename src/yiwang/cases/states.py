"""The case state machine: one transition table, and `available_actions` for the buttons.

Each action is carried out by one service in `services/` that checks this table (through
`transition_check`), locks the case, writes a `CaseEvent` and defers its side effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from yiwang.accounts.models import Role
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import Case, CaseState, CaseStep

S = CaseState


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REFUSE = "refuse"
    REQUEST_CORRECTION = "request_correction"
    CORRECT = "correct"
    CLAIM = "claim"
    RELEASE = "release"
    PASS = "pass"  # noqa: S105 - an action name
    RETURN = "return"
    APPROVE = "approve"
    DENY = "deny"
    START_SPECIAL = "start_special"
    END_SPECIAL = "end_special"
    EXTEND = "extend"
    DELIVER = "deliver"
    WITHDRAW = "withdraw"


APPLICANT = "applicant"
STEP_ROLE = "step"  # whoever holds the role of the case's active step


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None  # None: the case goes back to the state it was paused from
    actor: str  # APPLICANT, STEP_ROLE, or a Role value


def _t(label: str, sources: tuple[str, ...], target: str | None, actor: str) -> Transition:
    return Transition(label, frozenset(sources), target, actor)


TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: _t("提交申请", (S.DRAFT,), S.SUBMITTED, APPLICANT),
    Action.ACCEPT: _t("受理", (S.SUBMITTED,), S.IN_PROGRESS, Role.WINDOW_OFFICER),
    Action.REFUSE: _t("不予受理", (S.SUBMITTED,), S.REFUSED, Role.WINDOW_OFFICER),
    Action.REQUEST_CORRECTION: _t(
        "一次性告知补正", (S.SUBMITTED, S.IN_PROGRESS), S.CORRECTION, STEP_ROLE
    ),
    Action.CORRECT: _t("提交补正材料", (S.CORRECTION,), None, APPLICANT),
    Action.CLAIM: _t("签收", (S.IN_PROGRESS,), S.IN_PROGRESS, STEP_ROLE),
    Action.RELEASE: _t("退回待办池", (S.IN_PROGRESS,), S.IN_PROGRESS, STEP_ROLE),
    Action.PASS: _t("通过", (S.IN_PROGRESS,), S.IN_PROGRESS, STEP_ROLE),
    Action.RETURN: _t("退回上一环节", (S.IN_PROGRESS,), S.IN_PROGRESS, STEP_ROLE),
    Action.APPROVE: _t("准予许可并办结", (S.IN_PROGRESS,), S.COMPLETED, STEP_ROLE),
    Action.DENY: _t("不予许可并办结", (S.IN_PROGRESS,), S.COMPLETED, STEP_ROLE),
    Action.START_SPECIAL: _t("启动特别程序", (S.IN_PROGRESS,), S.SPECIAL, STEP_ROLE),
    Action.END_SPECIAL: _t("结束特别程序", (S.SPECIAL,), S.IN_PROGRESS, STEP_ROLE),
    Action.EXTEND: _t("延长审批期限", (S.IN_PROGRESS, S.SPECIAL), None, Role.APPROVER),
    Action.DELIVER: _t("送达", (S.COMPLETED,), S.DELIVERED, Role.WINDOW_OFFICER),
    Action.WITHDRAW: _t(
        "撤回申请", (S.SUBMITTED, S.CORRECTION, S.IN_PROGRESS, S.SPECIAL), S.WITHDRAWN, APPLICANT
    ),
}

# Actions that need the active step to be claimed by the acting officer (or unclaimed).
STEP_ACTIONS = frozenset(
    {
        Action.PASS,
        Action.RETURN,
        Action.APPROVE,
        Action.DENY,
        Action.START_SPECIAL,
        Action.END_SPECIAL,
    }
)


def decision_order(steps: list[CaseStep]) -> int:
    """The step that decides (准予/不予): the last approver step, else the last step."""
    approver = [s.order for s in steps if s.role == Role.APPROVER]
    if approver:
        return approver[-1]
    return steps[-1].order if steps else 0


@dataclass(frozen=True)
class Actor:
    """Who acts: the applicant side (owner of the case) or a staff member with roles."""

    is_applicant: bool = False
    staff_id: int | None = None
    roles: frozenset[str] = frozenset()


def _allowed(
    action: Action,
    *,
    case: Case,
    actor: Actor,
    active: CaseStep | None,
    steps: list[CaseStep],
) -> str | None:
    """Why `actor` may not take `action` now (a Chinese reason), or None when it may."""
    transition = TRANSITIONS[action]
    if case.state not in transition.sources:
        return f"办件当前为“{CaseState(case.state).label}”，不能{transition.label}"
    if transition.actor == APPLICANT:
        return None if actor.is_applicant else "只有申请人可以" + transition.label
    if actor.staff_id is None:
        return "只有办理部门的工作人员可以" + transition.label
    if transition.actor != STEP_ROLE:
        if transition.actor not in actor.roles:
            return f"需要“{Role(transition.actor).label}”角色才能{transition.label}"
        if action == Action.EXTEND and case.extended_at is not None:
            return "审批期限已延长过一次，不能再次延长"
        return None
    # Acting on the active step.
    if case.state == S.SUBMITTED:  # a correction before acceptance: the accepting window
        return None if Role.WINDOW_OFFICER in actor.roles else "需要“窗口人员”角色"
    if active is None:
        return "办件没有待办环节"
    if active.role not in actor.roles:
        return f"当前环节“{active.name}”由{Role(active.role).label}办理"
    if action == Action.CLAIM:
        return None if active.assignee_id is None else "该环节已被签收"
    if active.assignee_id not in (None, actor.staff_id):
        return "该环节已由其他工作人员签收"
    if action == Action.RELEASE:
        return None if active.assignee_id == actor.staff_id else "该环节尚未由您签收"
    decides = active.order == decision_order(steps)
    if action in (Action.APPROVE, Action.DENY) and not decides:
        return "当前环节不是决定环节，请先逐级审核"
    if action == Action.PASS and decides:
        return "当前为决定环节，请作出准予或不予许可的决定"
    if action == Action.RETURN and not any(s.order < active.order for s in steps):
        return "当前为第一个环节，无可退回的环节"
    return None


def transition_check(
    action: Action,
    *,
    case: Case,
    actor: Actor,
    active: CaseStep | None = None,
    steps: list[CaseStep] | None = None,
) -> Transition:
    """The transition, or `CaseError` (409 for a wrong state, 403 for a wrong role)."""
    reason = _allowed(action, case=case, actor=actor, active=active, steps=steps or [])
    if reason is None:
        return TRANSITIONS[action]
    wrong_state = case.state not in TRANSITIONS[action].sources
    raise CaseError(
        CaseErrorCode.ILLEGAL_TRANSITION if wrong_state else CaseErrorCode.NOT_YOUR_STEP,
        message=reason,
    )


def available_actions(
    *, case: Case, actor: Actor, active: CaseStep | None, steps: list[CaseStep]
) -> list[Action]:
    """The actions `actor` may take on `case` now, in table order (drives the buttons)."""
    return [
        action
        for action in TRANSITIONS
        if _allowed(action, case=case, actor=actor, active=active, steps=steps) is None
    ]
