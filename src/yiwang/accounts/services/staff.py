"""Staff accounts and their roles, written by the administrators of their region."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import ADMIN_ROLES, Role, Staff, StaffRole, User
from yiwang.accounts.rules import ADMIN_ROLE_PERMISSIONS
from yiwang.accounts.services._common import (
    _actor,
    _check_phone_and_password,
    _require_role,
    _require_scope,
)
from yiwang.core.audit import audit_record
from yiwang.regions.models import Department

# --- Staff and roles ------------------------------------------------------------------------


def staff_create(
    *,
    actor: Staff | None,
    username: str,
    name: str,
    department: Department,
    phone: str,
    password: str,
) -> Staff:
    """A system administrator creates a staff account in their region (None: installation)."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, department)
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username=username.strip()).exists() or not username.strip():
        errors["username"] = ["该用户名已被使用或为空"]
    _check_phone_and_password(errors, phone=phone, password=password, phone_required=False)
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    with transaction.atomic():
        user = User(username=username.strip(), kind=User.Kind.STAFF, display_name=name.strip())
        user.set_password(password)
        user.save()
        staff = Staff.objects.create(
            user=user,
            name=name.strip(),
            department=department,
            region_prefix=department.region_prefix,
            phone=phone,
        )
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.create",
            object_type="staff",
            object_id=staff.pk,
            detail={"department": department.pk},
        )
    return staff


def staff_move(*, actor: Staff | None, staff: Staff, department: Department) -> Staff:
    """A system administrator moves a staff member to another department of their region; the
    member's region scope follows the department."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, staff.department)
        _require_scope(actor, department)
    if staff.department_id == department.pk:
        return staff
    with transaction.atomic():
        before = staff.department_id
        staff.department, staff.region_prefix = department, department.region_prefix
        staff.save(update_fields=["department", "region_prefix"])
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.move",
            object_type="staff",
            object_id=staff.pk,
            detail={"from": before, "to": department.pk},
        )
    return staff


def staff_role_grant(*, actor: Staff | None, staff: Staff, role: str) -> StaffRole:
    """A security administrator grants a role; the three administrator roles never combine."""
    if role not in Role.values:
        raise AccountsError(AccountsErrorCode.INVALID, fields={"role": ["无效的角色"]})
    if actor is not None:
        _require_role(actor, Role.SECURITY_ADMIN)
        _require_scope(actor, staff.department)
        if actor.pk == staff.pk:
            raise AccountsError(AccountsErrorCode.SELF_GRANT)
    try:
        with transaction.atomic():
            granted = StaffRole.objects.create(
                staff=staff, role=role, granted_by=actor.user if actor else None
            )
            _sync_admin_flags(staff)
            audit_record(
                actor=_actor(actor.user) if actor else "cli",
                action="staff.role_grant",
                object_type="staff",
                object_id=staff.pk,
                detail={"role": role},
            )
    except IntegrityError:
        held = set(staff.roles.values_list("role", flat=True))
        if role in held:
            raise AccountsError(AccountsErrorCode.ROLE_HELD) from None
        raise AccountsError(AccountsErrorCode.ADMIN_ROLES_SEPARATE) from None
    return granted


def staff_role_revoke(*, actor: Staff | None, staff: Staff, role: str) -> None:
    if actor is not None:
        _require_role(actor, Role.SECURITY_ADMIN)
        _require_scope(actor, staff.department)
    with transaction.atomic():
        deleted, _ = StaffRole.objects.filter(staff=staff, role=role).delete()
        if not deleted:
            return
        _sync_admin_flags(staff)
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.role_revoke",
            object_type="staff",
            object_id=staff.pk,
            detail={"role": role},
        )


def _sync_admin_flags(staff: Staff) -> None:
    """Administrators use the Django admin (after the second factor), each with only the
    permissions of their own role; everyone else has no admin access at all."""
    held = set(staff.roles.filter(role__in=ADMIN_ROLES).values_list("role", flat=True))
    codes = {code for role in held for code in ADMIN_ROLE_PERMISSIONS[role]}
    permissions = [
        p
        for p in Permission.objects.select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in codes
    ]
    user = staff.user
    user.is_staff = bool(held)
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(permissions)
