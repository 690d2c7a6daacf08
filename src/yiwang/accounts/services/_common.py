"""What the account services share: the audit actor's name, the administrator's role and scope
checks, and the phone and password checks of a new account."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import Role, Staff, User
from yiwang.accounts.rules import is_mobile
from yiwang.accounts.selectors import has_role
from yiwang.regions.models import Department


def _actor(user: User | None) -> str:
    return f"user:{user.pk}:{user.get_username()}" if user is not None else "anonymous"


def _check_phone_and_password(
    errors: dict[str, list[str]], *, phone: str, password: str, phone_required: bool
) -> None:
    """Add the phone's and the password's problems, if any, to `errors`."""
    if (phone or phone_required) and not is_mobile(phone):
        errors["phone"] = [AccountsErrorCode.PHONE_INVALID.message]
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)


def _require_role(actor: Staff, role: Role) -> None:
    if not has_role(actor, role):
        raise AccountsError(
            AccountsErrorCode.ROLE_REQUIRED, message=f"您没有权限执行此操作：需要“{role.label}”角色"
        )


def _require_scope(actor: Staff, department: Department) -> None:
    if not department.region_prefix.startswith(actor.region_prefix):
        raise AccountsError(AccountsErrorCode.OUT_OF_SCOPE)
