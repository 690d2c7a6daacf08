"""Refusals of single sign-on, each with its code, Chinese message and HTTP status."""

from __future__ import annotations

from yiwang.core.errors import YiwangError

_NO_ACCOUNT = "未创建账号。请使用本平台账号登录，或携带身份证到政务服务大厅窗口办理。"


class UpstreamRefusal(YiwangError):
    """The provincial provider's answer cannot be linked to a person here; nothing was changed."""

    @classmethod
    def failed(cls) -> UpstreamRefusal:
        return cls(
            "通过省级统一身份认证平台登录未成功，请重新登录。", code="upstream_failed", status=400
        )

    @classmethod
    def id_number_missing(cls) -> UpstreamRefusal:
        return cls(
            "省级统一身份认证平台未提供您的居民身份证号码，无法确认您的身份，" + _NO_ACCOUNT,
            code="upstream_id_missing",
            status=403,
        )

    @classmethod
    def id_number_invalid(cls, reason: str) -> UpstreamRefusal:
        return cls(
            f"省级统一身份认证平台提供的居民身份证号码无效（{reason}），无法确认您的身份，"
            + _NO_ACCOUNT,
            code="upstream_id_invalid",
            status=403,
        )

    @classmethod
    def name_missing(cls) -> UpstreamRefusal:
        return cls(
            "省级统一身份认证平台未提供您的姓名，" + _NO_ACCOUNT,
            code="upstream_name_missing",
            status=403,
        )

    @classmethod
    def phone_missing(cls) -> UpstreamRefusal:
        return cls(
            "省级统一身份认证平台未提供有效的手机号码，" + _NO_ACCOUNT,
            code="upstream_phone_missing",
            status=403,
        )

    @classmethod
    def phone_taken(cls) -> UpstreamRefusal:
        return cls(
            "省级统一身份认证平台提供的手机号码已被本平台的其他账号使用，" + _NO_ACCOUNT,
            code="upstream_phone_taken",
            status=409,
        )

    @classmethod
    def account_disabled(cls) -> UpstreamRefusal:
        return cls(
            "您在本平台的账号已停用，请拨打政务服务便民热线咨询。",
            code="upstream_account_disabled",
            status=403,
        )
