"""Site-wide views: the health check and the Chinese error pages (JSON under /api/)."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from yiwang.core.errors import ErrorCode, error_body

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def _error(request: HttpRequest, code: ErrorCode, status: int) -> HttpResponse:
    body = error_body(code)
    if request.path.startswith("/api/"):
        return JsonResponse(body, status=status)
    return render(request, "error.html", {"error": body, "status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, ErrorCode.INVALID, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, ErrorCode.PERMISSION_DENIED, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, ErrorCode.NOT_FOUND, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, ErrorCode.SERVER_ERROR, 500)
