"""Review error codes, each with its Chinese message and HTTP status."""

from __future__ import annotations

from enum import Enum

from yiwang.core.errors import YiwangError


class ReviewErrorCode(Enum):
    NOT_FOUND = ("not_found", "未找到该评价对象，或您无权查看", 404)
    NOT_FINISHED = ("not_finished", "办件办结后才能评价", 409)
    INVALID = ("invalid", "评价内容有误，请检查后重试", 400)
    TOO_MANY = (
        "too_many_evaluations",
        "该次服务已评价过两次（首次评价和追加评价），不能再评价",
        409,
    )
    INVITATION_INVALID = ("invitation_invalid", "评价链接无效或已过期，请登录平台评价", 404)
    NOBODY_SERVING = ("nobody_serving", "该窗口当前没有正在服务的工作人员", 409)
    TABLET_INVALID = ("tablet_invalid", "评价器未授权，请联系大厅管理员", 403)
    ILLEGAL_TRANSITION = ("illegal_transition", "工单当前状态不允许此操作", 409)
    NOT_ALLOWED = ("permission_denied", "您没有权限办理该工单", 403)
    NOTE_REQUIRED = ("note_required", "请填写说明", 400)
    SCORE_INVALID = ("score_invalid", "评分应为 0 至 100 的整数", 400)
    ATTENDANCE_INVALID = ("attendance_invalid", "考勤操作不正确", 409)

    def __init__(self, code: str, message: str, status: int) -> None:
        self.code = code
        self.message = message
        self.status = status


class ReviewError(YiwangError):
    def __init__(
        self,
        error: ReviewErrorCode,
        *,
        message: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(
            message or error.message, code=error.code, fields=fields, status=error.status
        )
        self.error = error
