"""The response django-axes gives a locked-out login (AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from yiwang.accounts.errors import AccountsErrorCode
from yiwang.accounts.services import audit_auth_event
from yiwang.core.errors import error_body


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any,
               **kwargs: Any) -> HttpResponse:  # fmt: skip
    audit_auth_event(action="auth.locked_out", user=None, source_ip=request.META.get("REMOTE_ADDR"))
    error = AccountsErrorCode.LOCKED_OUT
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(error.code, error.message), status=403)
    return render(
        request, "error.html", {"error": error_body(error.code, error.message), "status": 403},
        status=403,
    )  # fmt: skip
