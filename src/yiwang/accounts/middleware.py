"""Idle and absolute session timeouts, enforced on the server."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from yiwang.core.audit import audit_record

LOGIN_AT = "auth_login_at"
SEEN_AT = "auth_seen_at"
TOUCH_EVERY = 60  # seconds: write the session at most once a minute for activity


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT, login_at)
            expired = None
            if login_at is None:
                session[LOGIN_AT] = session[SEEN_AT] = now
            elif now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                expired = "absolute"
            elif seen_at is not None and now - seen_at > settings.SESSION_IDLE_SECONDS:
                expired = "idle"
            elif seen_at is None or now - seen_at > TOUCH_EVERY:
                session[SEEN_AT] = now
            if expired:
                audit_record(
                    actor=f"user:{user.pk}:{user.get_username()}",
                    action="auth.session_expired",
                    object_type="user",
                    object_id=user.pk,
                    source_ip=request.META.get("REMOTE_ADDR"),
                    detail={"reason": expired},
                )
                logout(request)
        return self.get_response(request)
