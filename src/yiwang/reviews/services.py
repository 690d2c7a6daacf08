"""Every write of the review domain: ratings (online, SMS link, tablet), default ratings,
rectification tickets and their transitions, attendance and ability scores.

A bad rating (不满意, 非常不满意) opens a ticket for the handling department in the same
transaction. Each ticket transition checks the actor, locks the ticket, writes a `TicketEvent`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from yiwang.accounts.models import ADMIN_ROLES, Role, Staff, User
from yiwang.accounts.selectors import staff_roles
from yiwang.cases.models import Case, CaseState
from yiwang.cases.rules import WarningRule, yellow_from
from yiwang.cases.services import is_applicant
from yiwang.core.audit import audit_record
from yiwang.core.errors import YiwangError
from yiwang.core.workdays import calendar_between
from yiwang.regions.models import Department, Window
from yiwang.reviews import rules
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import (
    AbilityScore,
    AppealResult,
    Attendance,
    Channel,
    Invitation,
    Occasion,
    Resolution,
    Review,
    Ticket,
    TicketEvent,
    TicketState,
)

logger = logging.getLogger(__name__)

FINISHED = (CaseState.COMPLETED, CaseState.DELIVERED)
DEPARTMENT_ROLES = {Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER}


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


# --- Ratings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    level: str
    indicators: tuple[str, ...] = ()
    text: str = ""


def _check(occasion: str, rating: Rating) -> None:
    problems = rules.rating_problems(
        occasion=occasion, level=rating.level, indicators=rating.indicators, text=rating.text
    )
    if problems:
        first = next(iter(problems.values()))[0]
        raise ReviewError(ReviewErrorCode.INVALID, message=first, fields=problems)


def _record(
    *,
    occasion: str,
    key: str,
    rating: Rating,
    channel: str,
    department_id: int,
    region_prefix: str,
    now: dt.datetime,
    case: Case | None = None,
    officer: Staff | None = None,
    window: Window | None = None,
    rater: User | None = None,
    rater_phone: str = "",
    is_default: bool = False,
) -> Review:
    """Write the next evaluation of an occasion; a bad one opens a ticket."""
    if channel not in Channel.values:
        raise ReviewError(ReviewErrorCode.INVALID, message="评价渠道不正确")
    earlier = list(Review.objects.select_for_update().filter(occasion_key=key).order_by("sequence"))
    if len(earlier) >= rules.MAX_EVALUATIONS:
        raise ReviewError(ReviewErrorCode.TOO_MANY)
    Review.objects.filter(occasion_key=key, superseded=False).update(superseded=True)
    review = Review.objects.create(
        occasion=occasion, occasion_key=key, sequence=len(earlier) + 1, case=case,
        item_id=case.item_id if case else None, department_id=department_id,
        region_prefix=region_prefix, officer=officer, window=window, channel=channel,
        level=rating.level, indicators=list(rating.indicators), text=rating.text.strip(),
        rater=rater, rater_phone=rater_phone, is_default=is_default, created_at=now,
        month=_month(now),
    )  # fmt: skip
    if rules.is_bad(rating.level) and not is_default:
        _ticket_open(review, now=now)
    return review


def _case_rating(
    *, case: Case, rating: Rating, channel: str, rater: User | None, now: dt.datetime
) -> Review:
    _check(Occasion.ONLINE, rating)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state not in FINISHED:
            raise ReviewError(ReviewErrorCode.NOT_FINISHED)
        officer = case.accepted_by if case.channel == "1" else None
        return _record(
            occasion=Occasion.ONLINE, key=f"case:{case.pk}", rating=rating, channel=channel,
            department_id=case.department_id, region_prefix=case.region_prefix, now=now,
            case=case, officer=officer, rater=rater, rater_phone=case.phone,
        )  # fmt: skip


def review_case(
    *,
    case: Case,
    user: User,
    rating: Rating,
    channel: str = Channel.PC,
    now: dt.datetime | None = None,
) -> Review:
    """一事一评: the applicant rates a finished case (portal, app, WeChat, Alipay)."""
    if not is_applicant(case, user):
        raise ReviewError(ReviewErrorCode.NOT_FOUND)
    return _case_rating(case=case, rating=rating, channel=channel, rater=user, now=_now(now))


def review_by_invitation(
    *, code: str, rating: Rating, channel: str = Channel.SMS, now: dt.datetime | None = None
) -> Review:
    """The SMS link or the QR code on a notice: the invitation code stands for the applicant."""
    now = _now(now)
    invitation = Invitation.objects.select_related("case").filter(code=code).first()
    if invitation is None or invitation.expires_at < now:
        raise ReviewError(ReviewErrorCode.INVITATION_INVALID)
    if channel not in (Channel.SMS, Channel.QR):
        channel = Channel.SMS
    return _case_rating(
        case=invitation.case, rating=rating, channel=channel,
        rater=invitation.case.applicant_user, now=now,
    )  # fmt: skip


def invitation_for(case: Case, *, now: dt.datetime | None = None) -> Invitation:
    """The case's invitation (created once)."""
    now = _now(now)
    days = settings.REVIEWS_INVITATION_DAYS
    invitation, _ = Invitation.objects.get_or_create(
        case=case,
        defaults={
            "code": secrets.token_urlsafe(9)[:12],
            "created_at": now,
            "expires_at": now + dt.timedelta(days=days),
        },
    )
    return invitation


def invitations_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Invite the applicants of cases finished in the last two days who have no invitation
    yet (SMS with the short link). Run by the periodic job; idempotent."""
    from yiwang.notify.services import sms_send

    now = _now(now)
    invited = Invitation.objects.filter(case=OuterRef("pk"))
    cases = (
        Case.objects.filter(state__in=FINISHED, completed_at__gte=now - dt.timedelta(days=2))
        .exclude(Exists(invited))
        .order_by("completed_at")[:limit]
    )
    sent = 0
    for case in cases:
        with transaction.atomic():
            invitation = invitation_for(case, now=now)
            try:
                with transaction.atomic():
                    sms_send(
                        phone=case.phone, template="review_invitation_link", category="review",
                        params={"case_no": case.number or "", "url": short_url(invitation.code)},
                    )  # fmt: skip
            except YiwangError as exc:
                logger.warning("review invitation for case %s not sent (%s)", case.pk, exc.code)
        sent += 1
    return sent


def short_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/r/{code}"


def reviews_default(*, now: dt.datetime | None = None, limit: int = 2000) -> int:
    """Finished cases not rated within `REVIEWS_DEFAULT_AFTER_DAYS` get the default rating,
    recorded as such (not an active rating, never a ticket)."""
    now = _now(now)
    cutoff = now - dt.timedelta(days=settings.REVIEWS_DEFAULT_AFTER_DAYS)
    rated = Review.objects.filter(case=OuterRef("pk"))
    cases = (
        Case.objects.filter(state__in=FINISHED, completed_at__lt=cutoff)
        .exclude(Exists(rated))
        .order_by("completed_at")[:limit]
    )
    made = 0
    for case in cases:
        try:
            with transaction.atomic():
                _record(
                    occasion=Occasion.ONLINE, key=f"case:{case.pk}",
                    rating=Rating(settings.REVIEWS_DEFAULT_LEVEL),
                    channel=Channel.PC if case.channel != "1" else Channel.HALL_TERMINAL,
                    department_id=case.department_id, region_prefix=case.region_prefix,
                    now=now, case=case, is_default=True,
                )  # fmt: skip
        except (IntegrityError, ReviewError):
            continue  # rated meanwhile
        made += 1
    return made


# --- On-site ratings (the hall evaluator tablet) ----------------------------------------------


def tablet_token(window: Window) -> str:
    """The key a window's tablet carries in its address (given by the hall administrator)."""
    return salted_hmac("yiwang.reviews.tablet", str(window.pk), algorithm="sha256").hexdigest()[:20]


def tablet_addresses_shown(*, staff: Staff, windows: int, source_ip: str | None = None) -> None:
    """Record who was shown the tablets' addresses (each carries its window's key)."""
    audit_record(
        actor=staff.user.username, action="review.tablet_addresses_shown",
        object_type="region", object_id=staff.region_prefix, source_ip=source_ip,
        detail={"windows": windows},
    )  # fmt: skip


def tablet_check(window: Window, token: str) -> None:
    if not constant_time_compare(tablet_token(window), token or ""):
        raise ReviewError(ReviewErrorCode.TABLET_INVALID)


@dataclass(frozen=True)
class Serving:
    """Who serves at a window now, and the occasion a tap rates."""

    officer: Staff
    occasion_key: str
    ticket_code: str = ""


def serving_now(window: Window, *, now: dt.datetime | None = None) -> Serving | None:
    """The officer of the number being served at the window (from the hall queue), else the
    officer signed in at the window today."""
    from yiwang.bookings.models import QueueTicket

    now = _now(now)
    today = timezone.localtime(now).date()
    ticket = (
        QueueTicket.objects.filter(
            window=window, date=today, state="called", called_by__isnull=False
        )
        .select_related("called_by")
        .order_by("-called_at")
        .first()
    )
    if ticket is not None and ticket.called_by is not None:
        return Serving(ticket.called_by, f"ticket:{ticket.pk}", ticket.code)
    attendance = (
        Attendance.objects.filter(window=window, day=today, signed_out_at__isnull=True)
        .exclude(signed_in_at__isnull=True)
        .select_related("staff")
        .order_by("-signed_in_at")
        .first()
    )
    if attendance is None:
        return None
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S%f")
    return Serving(attendance.staff, f"window:{window.pk}:{attendance.staff_id}:{stamp}")


def review_on_site(
    *,
    window: Window,
    token: str,
    rating: Rating,
    channel: str = Channel.HALL_TABLET,
    now: dt.datetime | None = None,
) -> Review:
    """一次一评: one tap on the window's tablet rates the officer serving now."""
    now = _now(now)
    tablet_check(window, token)
    _check(Occasion.ON_SITE, rating)
    serving = serving_now(window, now=now)
    if serving is None:
        raise ReviewError(ReviewErrorCode.NOBODY_SERVING)
    officer = serving.officer
    with transaction.atomic():
        return _record(
            occasion=Occasion.ON_SITE, key=serving.occasion_key, rating=rating,
            channel=channel if channel in (Channel.HALL_TABLET, Channel.HALL_TERMINAL)
            else Channel.HALL_TABLET,
            department_id=officer.department_id, region_prefix=officer.region_prefix,
            now=now, officer=officer, window=window,
        )  # fmt: skip


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


def _note(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReviewError(
            ReviewErrorCode.NOTE_REQUIRED,
            message=f"请填写{what}",
            fields={"note": [f"请填写{what}"]},
        )
    return text[:2000]


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


# --- Staff performance ------------------------------------------------------------------------


def assessment_exported(
    *, staff: Staff, department: Department, month: dt.date, source_ip: str | None = None
) -> None:
    """Record who took a department's monthly assessment (named officers' scores) out of the
    platform as a file."""
    audit_record(
        actor=staff.user.username, action="review.assessment_exported",
        object_type="department", object_id=department.pk, source_ip=source_ip,
        detail={"month": f"{month:%Y-%m}"},
    )  # fmt: skip


def attendance_sign_in(
    *, staff: Staff, window: Window, now: dt.datetime | None = None
) -> Attendance:
    now = _now(now)
    if Role.WINDOW_OFFICER not in staff_roles(staff):
        raise ReviewError(ReviewErrorCode.NOT_ALLOWED, message="只有窗口人员需要窗口签到")
    other_department = window.department_id not in (None, staff.department_id)
    if other_department or not window.hall.region_prefix.startswith(staff.region_prefix):
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="该窗口不在您的服务范围内")
    today = timezone.localtime(now).date()
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(staff=staff, day=today).first()
        if row is not None and (row.kind == Attendance.Kind.LEAVE or row.signed_in_at):
            raise ReviewError(ReviewErrorCode.ATTENDANCE_INVALID, message="今天已签到或已请假")
        if row is None:
            row = Attendance(staff=staff, day=today)
        row.kind, row.window, row.signed_in_at = Attendance.Kind.PRESENT, window, now
        row.save()
    return row


def attendance_sign_out(*, staff: Staff, now: dt.datetime | None = None) -> Attendance:
    now = _now(now)
    today = timezone.localtime(now).date()
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(staff=staff, day=today).first()
        if row is None or row.signed_in_at is None or row.signed_out_at is not None:
            raise ReviewError(ReviewErrorCode.ATTENDANCE_INVALID, message="今天尚未签到或已签退")
        row.signed_out_at = now
        row.save(update_fields=["signed_out_at"])
    return row


def _manager_of(manager: Staff, staff: Staff) -> None:
    """The officer's department head (approver), or a supervisor of their region."""
    roles = staff_roles(manager)
    if manager.pk == staff.pk:
        raise ReviewError(ReviewErrorCode.NOT_ALLOWED, message="不能为自己登记")
    head = Role.APPROVER in roles and manager.department_id == staff.department_id
    supervisor = Role.SUPERVISOR in roles and staff.region_prefix.startswith(manager.region_prefix)
    if not (head or supervisor) or roles & {r.value for r in ADMIN_ROLES} == roles:
        raise ReviewError(ReviewErrorCode.NOT_ALLOWED)


def attendance_leave(*, manager: Staff, staff: Staff, day: dt.date, note: str) -> Attendance:
    """A leave day, entered by the officer's head."""
    _manager_of(manager, staff)
    note = _note(note, "请假事由")
    with transaction.atomic():
        row, _ = Attendance.objects.select_for_update().get_or_create(staff=staff, day=day)
        if row.signed_in_at is not None:
            raise ReviewError(
                ReviewErrorCode.ATTENDANCE_INVALID, message="该日已签到，不能登记请假"
            )
        row.kind, row.note = Attendance.Kind.LEAVE, note[:200]
        row.save()
    return row


SCORE_FIELDS = ("morality", "ability", "diligence", "performance", "integrity")


def ability_score_set(
    *, manager: Staff, staff: Staff, month: dt.date, scores: dict[str, int], note: str = "",
    now: dt.datetime | None = None,
) -> AbilityScore:  # fmt: skip
    """德、能、勤、绩、廉 for a month (0–100 each), by the officer's head; re-entering replaces."""
    _manager_of(manager, staff)
    bad = [
        f for f in SCORE_FIELDS if not isinstance(scores.get(f), int) or not 0 <= scores[f] <= 100
    ]
    if bad:
        raise ReviewError(
            ReviewErrorCode.SCORE_INVALID, fields={f: ["评分应为 0 至 100 的整数"] for f in bad}
        )
    with transaction.atomic():
        row, _ = AbilityScore.objects.update_or_create(
            staff=staff, month=month.replace(day=1),
            defaults={**{f: scores[f] for f in SCORE_FIELDS}, "scored_by": manager,
                      "scored_at": _now(now), "note": note.strip()[:300]},
        )  # fmt: skip
        audit_record(
            actor=manager.user.username, action="review.ability_score", object_type="staff",
            object_id=staff.pk, detail={"month": f"{month:%Y-%m}"},
        )  # fmt: skip
    return row
