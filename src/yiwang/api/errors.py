"""Turn every refusal into the one error shape `{code, message, fields}` with Chinese text."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yiwang.core.errors import ErrorCode, YiwangError, error_body

# pydantic error types → Chinese; `{ctx}` names are filled from the error's context.
_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "json_invalid": "请求体不是有效的 JSON",
    "enum": "取值不在允许范围内",
}


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "form", "header", "cookie")]
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        template = _MESSAGES.get(str(error.get("type")), "格式不正确")
        try:
            message = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            message = template
        fields.setdefault(_field_name(list(error.get("loc", []))), []).append(message)
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(YiwangError)
    def yiwang_error(request: HttpRequest, exc: YiwangError) -> HttpResponse:
        return respond(request, exc.as_dict(), exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = validation_fields(list(exc.errors))
        first = next(iter(fields.items()), ("", ["格式不正确"]))
        message = f"请求参数有误：{first[0]} {first[1][0]}"
        return respond(request, error_body(ErrorCode.INVALID, message, fields), 400)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, error_body(ErrorCode.NOT_FOUND), 404)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, error_body(ErrorCode.NOT_AUTHENTICATED), 401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {401: ErrorCode.NOT_AUTHENTICATED, 403: ErrorCode.PERMISSION_DENIED,
                 404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED,
                 409: ErrorCode.CONFLICT}  # fmt: skip
        code = codes.get(exc.status_code, ErrorCode.INVALID)
        return respond(request, error_body(code), exc.status_code)
