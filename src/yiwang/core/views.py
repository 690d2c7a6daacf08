"""Site-wide views: the health check and the Chinese error pages (JSON under /api/)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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


def _error(
    request: HttpRequest, code: ErrorCode, status: int, message: str | None = None
) -> HttpResponse:
    body = error_body(code, message)
    if request.path.startswith("/api/"):
        return JsonResponse(body, status=status)
    return render(request, "error.html", {"error": body, "status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = f"提交的内容过大：一次提交不能超过 {limit} MB，请压缩文件或分次上传。"
        return _error(request, ErrorCode.INVALID, 413, message)
    return _error(request, ErrorCode.INVALID, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, ErrorCode.PERMISSION_DENIED, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, ErrorCode.NOT_FOUND, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, ErrorCode.SERVER_ERROR, 500)
