"""Case error codes, each with its Chinese message and HTTP status."""

from __future__ import annotations

from enum import Enum

from yiwang.core.errors import YiwangError


class CaseErrorCode(Enum):
    NOT_FOUND = ("not_found", "未找到该办件，或您无权查看", 404)
    ILLEGAL_TRANSITION = ("illegal_transition", "办件当前状态不允许此操作", 409)
    NOT_YOUR_STEP = ("permission_denied", "您不能办理该办件的当前环节", 403)
    ITEM_NOT_AVAILABLE = ("item_not_available", "该事项当前不可申请", 400)
    NOT_ONLINE = ("not_online", "该事项不支持网上申请，请到窗口办理", 400)
    WRONG_APPLICANT = ("wrong_applicant", "该事项的服务对象不包括您当前的身份", 400)
    FORM_INVALID = ("form_invalid", "申请表填写有误，请检查后重试", 400)
    MATERIALS_MISSING = ("materials_missing", "还有必要材料未上传", 400)
    MATERIAL_UNKNOWN = ("material_unknown", "该事项没有这项材料", 400)
    DELIVERY_INVALID = ("delivery_invalid", "送达方式不正确", 400)
    REASON_REQUIRED = ("reason_required", "请填写理由", 400)
    CORRECTION_ITEMS_REQUIRED = ("correction_items_required", "请列出需要补正的全部内容", 400)
    CORRECTION_REPEATED = (
        "correction_repeated",
        "补正告知应一次性告知全部内容，不能就同一事项再次要求补正",
        409,
    )
    EXTENSION_INVALID = ("extension_invalid", "延长天数超出允许范围", 400)
    SPECIAL_INVALID = ("special_invalid", "特别程序信息不完整", 400)
    QUERY_FAILED = ("query_failed", "办件编号或查询密码不正确", 404)
    QUERY_LOCKED = ("query_locked", "查询失败次数过多，请15分钟后再试", 429)
    APPLICANT_INVALID = ("applicant_invalid", "申请人信息有误", 400)
    IDEMPOTENCY_KEY_INVALID = ("idempotency_key_invalid", "提交标识格式不正确", 400)

    def __init__(self, code: str, message: str, status: int) -> None:
        self.code = code
        self.message = message
        self.status = status


class CaseError(YiwangError):
    """A refused case action; `fields` names the inputs at fault, where there are any."""

    def __init__(
        self,
        error: CaseErrorCode,
        *,
        message: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(
            message or error.message, code=error.code, fields=fields, status=error.status
        )
        self.error = error
