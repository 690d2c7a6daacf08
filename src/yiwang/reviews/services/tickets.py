"""Rectification tickets (整改工单) opened by bad ratings, and their transitions: each checks
the actor, locks the ticket and writes a `TicketEvent`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.cases.rules import WarningRule, yellow_from
from yiwang.core.audit import audit_record
from yiwang.core.errors import YiwangError
from yiwang.core.workdays import calendar_between
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import AppealResult, Resolution, Review, Ticket, TicketEvent, TicketState
from yiwang.reviews.services._common import _note, _now, logger

DEPARTMENT_ROLES = {Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER}

# --- Rectification tickets --------------------------------------------------------------------


def _warning() -> WarningRule:
    return WarningRule(days=settings.CASES_WARNING_DAYS, percent=settings.CASES_WARNING_PERCENT)


def ticket_deadline(opened_on: dt.date) -> tuple[dt.date, dt.date]:
    """(due date, first yellow day) of a ticket opened on `opened_on`."""
    days = settings.REVIEWS_RECTIFY_DAYS
    calendar = calendar_between(
        opened_on - dt.timedelta(days=10), opened_on + dt.timedelta(days=2 * days + 60)
    )
    due = calendar.add_working_days(opened_on, days).value
    return due, yellow_from(due_on=due, limit=days, rule=_warning(), calendar=calendar)


def _ticket_open(review: Review, *, now: dt.datetime) -> Ticket:
    due, yellow = ticket_deadline(timezone.localtime(now).date())
    ticket = Ticket.objects.create(
        review=review, department_id=review.department_id, region_prefix=review.region_prefix,
        opened_at=now, due_on=due, yellow_from=yellow,
    )  # fmt: skip
    TicketEvent.objects.create(
        ticket=ticket, action="opened", to_state=ticket.state, actor_name="系统", at=now,
        note=f"{review.get_level_display()}：{review.text[:200]}",
    )  # fmt: skip
    return ticket


def tickets_recompute_for_year(year: int) -> int:
    """Recompute open tickets' deadlines after a year's calendar is loaded."""
    changed = 0
    for ticket in Ticket.objects.exclude(state=TicketState.CLOSED).filter(
        due_on__year__gte=year - 1
    ):
        opened = timezone.localtime(ticket.opened_at).date()
        due, yellow = ticket_deadline(opened)
        if (due, yellow) != (ticket.due_on, ticket.yellow_from):
            Ticket.objects.filter(pk=ticket.pk).update(due_on=due, yellow_from=yellow)
            changed += 1
    return changed


def _department_staff(ticket: Ticket, staff: Staff, *, roles: set[str] | None = None) -> None:
    """The handling department's staff (window, reviewer, approver) act on its tickets."""
    if staff.department_id != ticket.department_id:
        raise ReviewError(ReviewErrorCode.NOT_FOUND)
    held = staff_roles(staff)
    if not held & (roles or {r.value for r in DEPARTMENT_ROLES}):
        raise ReviewError(ReviewErrorCode.NOT_ALLOWED)


def _supervisor(ticket: Ticket, staff: Staff) -> None:
    if Role.SUPERVISOR not in staff_roles(staff):
        raise ReviewError(ReviewErrorCode.NOT_ALLOWED, message="需要“电子监察员”角色")
    if not ticket.region_prefix.startswith(staff.region_prefix):
        raise ReviewError(ReviewErrorCode.NOT_FOUND)


def _lock_ticket(ticket: Ticket, *, states: Iterable[str], action: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().select_related("review").get(pk=ticket.pk)
    if ticket.state not in set(states):
        label = TicketState(ticket.state).label
        raise ReviewError(
            ReviewErrorCode.ILLEGAL_TRANSITION, message=f"工单当前为“{label}”，不能{action}"
        )
    return ticket


def _event(
    ticket: Ticket, action: str, *, staff: Staff, from_state: str, note: str, now: dt.datetime
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, action=action, from_state=from_state, to_state=ticket.state,
        actor=staff.user, actor_name=staff.name, note=note, at=now,
    )  # fmt: skip


VISIT_METHODS = {"phone": "电话回访", "visit": "上门回访", "sms": "短信回访"}


def ticket_visit(
    *, ticket: Ticket, staff: Staff, method: str, note: str, now: dt.datetime | None = None
) -> Ticket:
    """回访核实: the department calls or visits the rater and records what it found."""
    now = _now(now)
    _department_staff(ticket, staff)
    if method not in VISIT_METHODS:
        raise ReviewError(
            ReviewErrorCode.INVALID, message="请选择回访方式", fields={"method": ["请选择回访方式"]}
        )
    note = _note(note, "回访情况")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.OPEN], action="回访")
        from_state = ticket.state
        ticket.state, ticket.visit_method, ticket.visit_note, ticket.visited_at = (
            TicketState.VISITED, method, note, now,
        )  # fmt: skip
        ticket.save()
        _event(
            ticket,
            "visited",
            staff=staff,
            from_state=from_state,
            note=f"{VISIT_METHODS[method]}：{note}",
            now=now,
        )
    return ticket


def _tell_rater(ticket: Ticket) -> None:
    """The outcome goes back to the rater by SMS."""
    from yiwang.notify.services import sms_send

    review = ticket.review
    phone = review.rater_phone or (review.case.phone if review.case_id and review.case else "")
    if not phone:
        return
    try:
        with transaction.atomic():
            sms_send(
                phone=phone, template="review_rectified", category="review",
                params={"resolution": Resolution(ticket.resolution).label},
            )  # fmt: skip
    except YiwangError as exc:
        logger.warning("ticket %s: outcome SMS not sent (%s)", ticket.pk, exc.code)


def ticket_resolve(
    *,
    ticket: Ticket,
    staff: Staff,
    resolution: str,
    outcome: str,
    ledger_due_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """After the visit: rectify at once, explain (no basis), or a ledger item with a deadline."""
    now = _now(now)
    _department_staff(ticket, staff)
    if resolution not in Resolution.values:
        raise ReviewError(
            ReviewErrorCode.INVALID,
            message="请选择处理方式",
            fields={"resolution": ["请选择处理方式"]},
        )
    outcome = _note(outcome, "处理结果" if resolution != Resolution.LEDGER else "整改计划")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.VISITED], action="处理")
        if resolution == Resolution.LEDGER:
            deadline = ledger_due_on or ticket.due_on
            if deadline < timezone.localtime(now).date() or deadline > ticket.due_on:
                message = f"台账整改期限应在今天至 {ticket.due_on:%Y-%m-%d} 之间"
                raise ReviewError(
                    ReviewErrorCode.INVALID, message=message, fields={"ledger_due_on": [message]}
                )
            ticket.ledger_due_on = deadline
        from_state = ticket.state
        ticket.resolution, ticket.outcome = resolution, outcome
        ticket.state = (
            TicketState.RECTIFYING if resolution == Resolution.LEDGER else TicketState.HANDLED
        )
        if ticket.state == TicketState.HANDLED:
            ticket.handled_at = now
        ticket.save()
        _event(
            ticket,
            "resolved",
            staff=staff,
            from_state=from_state,
            note=f"{Resolution(resolution).label}：{outcome}",
            now=now,
        )
        if ticket.state == TicketState.HANDLED:
            _tell_rater(ticket)
    return ticket


def ticket_rectified(
    *, ticket: Ticket, staff: Staff, outcome: str, now: dt.datetime | None = None
) -> Ticket:
    """A ledger item is rectified: the outcome goes to the rater and to the supervisor."""
    now = _now(now)
    _department_staff(ticket, staff)
    outcome = _note(outcome, "整改结果")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.RECTIFYING], action="报告整改结果")
        from_state = ticket.state
        ticket.state, ticket.outcome, ticket.handled_at = TicketState.HANDLED, outcome, now
        ticket.save()
        _event(ticket, "rectified", staff=staff, from_state=from_state, note=outcome, now=now)
        _tell_rater(ticket)
    return ticket


def ticket_close(
    *, ticket: Ticket, supervisor: Staff, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    now = _now(now)
    _supervisor(ticket, supervisor)
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.HANDLED], action="办结")
        from_state = ticket.state
        ticket.state, ticket.closed_at = TicketState.CLOSED, now
        ticket.save()
        _event(
            ticket, "closed", staff=supervisor, from_state=from_state, note=note.strip(), now=now
        )
    return ticket


def ticket_send_back(
    *, ticket: Ticket, supervisor: Staff, note: str, now: dt.datetime | None = None
) -> Ticket:
    """The supervisor finds the handling insufficient: back to the department."""
    now = _now(now)
    _supervisor(ticket, supervisor)
    note = _note(note, "退回理由")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.HANDLED], action="退回")
        from_state = ticket.state
        ticket.state, ticket.handled_at = TicketState.VISITED, None
        ticket.sent_back += 1
        ticket.save()
        _event(ticket, "sent_back", staff=supervisor, from_state=from_state, note=note, now=now)
    return ticket


def ticket_appeal(
    *, ticket: Ticket, staff: Staff, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """申诉复核: the department head appeals a mistaken or malicious review."""
    now = _now(now)
    _department_staff(ticket, staff, roles={Role.APPROVER.value})
    reason = _note(reason, "申诉理由")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.OPEN, TicketState.VISITED], action="申诉")
        if ticket.appeal:
            raise ReviewError(
                ReviewErrorCode.ILLEGAL_TRANSITION, message="该工单已申诉过，不能再次申诉"
            )
        from_state = ticket.state
        ticket.resume_state, ticket.state = ticket.state, TicketState.APPEALED
        ticket.appeal, ticket.appeal_reason = AppealResult.PENDING, reason
        ticket.save()
        _event(ticket, "appealed", staff=staff, from_state=from_state, note=reason, now=now)
    return ticket


def ticket_appeal_decide(
    *, ticket: Ticket, supervisor: Staff, upheld: bool, note: str, now: dt.datetime | None = None
) -> Ticket:
    """An upheld appeal removes the review from the indicators (kept on record) and closes the
    ticket; a rejected one returns the ticket to where it was."""
    now = _now(now)
    _supervisor(ticket, supervisor)
    note = _note(note, "复核意见")
    with transaction.atomic():
        ticket = _lock_ticket(ticket, states=[TicketState.APPEALED], action="复核申诉")
        from_state = ticket.state
        if upheld:
            ticket.appeal, ticket.state, ticket.closed_at = (
                AppealResult.UPHELD,
                TicketState.CLOSED,
                now,
            )
            Review.objects.filter(pk=ticket.review_id).update(excluded=True)
        else:
            ticket.appeal, ticket.state = (
                AppealResult.REJECTED,
                ticket.resume_state or TicketState.OPEN,
            )
        ticket.save()
        _event(
            ticket,
            "appeal_upheld" if upheld else "appeal_rejected",
            staff=supervisor,
            from_state=from_state,
            note=note,
            now=now,
        )
        audit_record(
            actor=supervisor.user.username, action="review.appeal_decide", object_type="review",
            object_id=ticket.review_id, detail={"upheld": upheld},
        )  # fmt: skip
    return ticket
