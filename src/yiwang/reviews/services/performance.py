"""Staff performance: the assessment's export, attendance, leave and ability scores."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import ADMIN_ROLES, Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.core.audit import audit_record
from yiwang.regions.models import Department, Window
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import AbilityScore, Attendance
from yiwang.reviews.services._common import _note, _now

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
