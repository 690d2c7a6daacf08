"""Accounts error codes, each with its Chinese message and HTTP status."""

from __future__ import annotations

from enum import Enum

from yiwang.core.errors import YiwangError


class AccountsErrorCode(Enum):
    INVALID = ("invalid", "提交的信息有误，请检查后重试", 400)
    PHONE_INVALID = ("phone_invalid", "手机号码应为11位中国大陆手机号码", 400)
    CODE_INVALID = ("code_invalid", "验证码无效或已过期，请重新获取", 400)
    CODE_WRONG = ("code_wrong", "验证码不正确", 400)
    CODE_TOO_MANY_ATTEMPTS = ("code_attempts", "验证码错误次数过多，请重新获取", 400)
    CODE_TOO_FREQUENT = ("rate_limited", "验证码发送过于频繁，请稍后再试", 429)
    CODE_DAILY_LIMIT = ("rate_limited", "今日验证码发送次数已达上限，请明天再试", 429)
    ID_TAKEN = ("id_taken", "该身份证号码已注册，请直接登录或找回密码", 409)
    PHONE_TAKEN = ("phone_taken", "该手机号码已被其他账号使用", 409)
    EVIDENCE_MISMATCH = ("evidence_mismatch", "比对不一致：该号码与您的身份信息不符", 400)
    NOT_LEGAL_REPRESENTATIVE = ("not_legal_rep", "只有法定代表人本人可以办理此项业务", 403)
    ENTERPRISE_TAKEN = ("enterprise_taken", "该统一社会信用代码已注册", 409)
    AGENT_NOT_FOUND = (
        "agent_not_found",
        "未找到该经办人：请确认其已实名注册且姓名、身份证号码一致",
        400,
    )
    GRANT_EXISTS = ("grant_exists", "该经办人已有有效授权，请先撤销原授权", 409)
    REAL_NAME_LEVEL = ("real_name_level", "实名等级不足", 403)
    NOT_AN_AGENT = ("not_an_agent", "您没有代表该单位办事的有效授权", 403)
    ROLE_REQUIRED = ("permission_denied", "您没有权限执行此操作", 403)
    OUT_OF_SCOPE = ("out_of_scope", "该人员不在您管理的区域范围内", 403)
    SELF_GRANT = ("self_grant", "不能为自己授予角色", 403)
    ROLE_HELD = ("role_held", "该人员已有此角色", 409)
    ADMIN_ROLES_SEPARATE = (
        "admin_roles_separate",
        "三员（系统、安全、审计管理员）不得由同一人兼任",
        409,
    )
    TOKEN_INVALID = ("not_authenticated", "令牌无效或已过期，请重新登录", 401)
    CLIENT_INVALID = ("invalid_client", "客户端标识或密钥不正确，或该接口客户端已停用", 401)
    CLIENT_LOCKED = ("client_locked", "客户端认证失败次数过多，请15分钟后再试", 429)
    LOGIN_FAILED = ("login_failed", "账号或密码不正确", 400)
    LOCKED_OUT = ("locked_out", "登录失败次数过多，账号已暂时锁定，请稍后再试", 403)
    SECOND_FACTOR_FAILED = ("second_factor_failed", "动态口令或验证码不正确", 400)

    def __init__(self, code: str, message: str, status: int) -> None:
        self.code = code
        self.message = message
        self.status = status


class AccountsError(YiwangError):
    def __init__(
        self,
        error: AccountsErrorCode,
        *,
        message: str | None = None,
        field: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        text = message or error.message
        if message is None and fields and error is AccountsErrorCode.INVALID:
            text = next(iter(fields.values()))[0]  # the first concrete problem says most
        if field and not fields:
            fields = {field: [text]}
        super().__init__(text, code=error.code, fields=fields, status=error.status)
        self.error = error
