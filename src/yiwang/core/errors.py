"""One error shape for every refusal: `{code, message, fields}`, with the message in Chinese.

Each domain defines its codes in an `ErrorCode`-like `StrEnum` and raises `YiwangError` (or a
subclass); the API turns it into JSON with the HTTP status, the web pages show the same message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    CONFLICT = "conflict"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"


DEFAULT_MESSAGES: dict[str, str] = {
    ErrorCode.INVALID: "提交的内容有误，请检查后重试。",
    ErrorCode.NOT_FOUND: "您访问的内容不存在或已被移除。",
    ErrorCode.PERMISSION_DENIED: "您没有权限执行此操作。",
    ErrorCode.NOT_AUTHENTICATED: "请先登录。",
    ErrorCode.CONFLICT: "数据已被他人修改，请刷新后重试。",
    ErrorCode.METHOD_NOT_ALLOWED: "不支持该请求方式。",
    ErrorCode.SERVER_ERROR: "系统繁忙，请稍后再试；如仍有问题请拨打服务热线。",
    ErrorCode.UNAVAILABLE: "服务暂时不可用，请稍后再试。",
}

HTTP_STATUS: dict[str, int] = {
    ErrorCode.INVALID: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.SERVER_ERROR: 500,
    ErrorCode.UNAVAILABLE: 503,
}


class YiwangError(Exception):
    """A refusal with a stable code, a Chinese message and optional per-field messages."""

    status = 400

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str = ErrorCode.INVALID,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
    ) -> None:
        self.code = str(code)
        self.message = message or DEFAULT_MESSAGES.get(code, DEFAULT_MESSAGES[ErrorCode.INVALID])
        self.fields = fields or {}
        self.status = status or HTTP_STATUS.get(code, 400)
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.fields)


def error_body(
    code: str, message: str | None = None, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The body every API refusal carries."""
    return {
        "code": str(code),
        "message": message or DEFAULT_MESSAGES.get(code, DEFAULT_MESSAGES[ErrorCode.INVALID]),
        "fields": fields or {},
    }
