"""Who may open a workbench page: a staff member who passed the second factor, with a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import has_role, staff_of
from yiwang.accounts.session_keys import SECOND_FACTOR

View = Callable[..., HttpResponse]


def current_staff(request: HttpRequest) -> Staff | None:
    user = request.user
    if not user.is_authenticated or not request.session.get(SECOND_FACTOR):
        return None
    return staff_of(user)


def staff_required(role: Role | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = current_staff(request)
            if staff is None:
                return redirect(f"/workbench/login/?next={request.path}")
            if role is not None and not has_role(staff, role):
                raise AccountsError(
                    AccountsErrorCode.ROLE_REQUIRED, message=f"此页面需要“{role.label}”角色"
                )
            return view(request, staff, *args, **kwargs)

        return wrapped

    return decorator
