"""REST endpoints for app / WeChat / Alipay clients: tokens (obtain, refresh, revoke) and `me`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import Field

from yiwang.accounts import selectors, services
from yiwang.accounts.backends import user_for_identifier
from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import ApiToken, OneTimeCode, User
from yiwang.accounts.rules import token_digest
from yiwang.accounts.web import client_ip
from yiwang.core.masking import mask_phone, mask_resident_id

router = Router()


class BearerToken(HttpBearer):
    """`Authorization: Bearer <access token>`; expired or revoked tokens are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (
            # The person with the user (one query): the applicant endpoints all need them.
            ApiToken.objects.select_related("user", "user__person")
            .filter(access_hash=token_digest(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or found.access_expires_at <= timezone.now() or not found.user.is_active:
            return None
        request.user = found.user
        return found


class TokenIn(Schema):
    grant_type: str | None = Field(
        None,
        max_length=40,
        description="client_credentials：部门系统以客户端标识和密钥取令牌；省略：个人用户登录",
    )
    client_id: str | None = Field(None, max_length=40, description="接口客户端标识（部门系统）")
    client_secret: str | None = Field(None, max_length=200, description="接口客户端密钥")
    client: str = Field("app", max_length=40, description="客户端：app / wechat / alipay")
    identifier: str | None = Field(None, description="身份证号码或手机号码（密码方式）")
    password: str | None = None
    phone: str | None = Field(None, description="手机号码（验证码方式）")
    code: str | None = None


class TokenOut(Schema):
    access_token: str
    refresh_token: str | None = Field(description="部门系统的令牌没有刷新令牌：到期后重新获取")
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class RefreshIn(Schema):
    refresh_token: str


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    role: str = Field(description="legal_representative / agent")


class MeOut(Schema):
    user_type: str
    name: str
    id_number: str = Field(description="脱敏的身份证号码")
    phone: str = Field(description="脱敏的手机号码")
    real_name_level: int
    enterprises: list[EnterpriseOut]


def _token_out(token: ApiToken, access: str, refresh: str | None) -> TokenOut:
    expires_in = int((token.access_expires_at - timezone.now()).total_seconds())
    return TokenOut(access_token=access, refresh_token=refresh, expires_in=expires_in)


CLIENT_LOCK_SECONDS = 15 * 60


def _client_token(request: HttpRequest, body: TokenIn) -> TokenOut:
    """Client credentials. Failures are counted per address: past the limit, the address is
    refused for 15 minutes without checking (and without an audit record for each try)."""
    if not (body.client_id and body.client_secret):
        raise AccountsError(AccountsErrorCode.INVALID, message="请提供客户端标识和密钥")
    address = client_ip(request)
    key = f"accounts:client_failures:{address or '-'}"
    if cache.get(key, 0) >= settings.API_CLIENT_FAILURE_LIMIT:
        raise AccountsError(AccountsErrorCode.CLIENT_LOCKED)
    try:
        token, access = services.api_client_token_issue(
            client_id=body.client_id, secret=body.client_secret, source_ip=address
        )
    except AccountsError as exc:
        if exc.error is AccountsErrorCode.CLIENT_INVALID:
            cache.add(key, 0, CLIENT_LOCK_SECONDS)
            cache.incr(key)
        raise
    return _token_out(token, access, None)


@router.post("/token", response=TokenOut, summary="获取令牌（密码、短信验证码或客户端密钥）")
def token_obtain(request: HttpRequest, body: TokenIn) -> TokenOut:
    if body.grant_type == "client_credentials":
        return _client_token(request, body)
    if body.grant_type not in (None, "password", "sms_code"):
        raise AccountsError(AccountsErrorCode.INVALID, message="不支持的授权方式（grant_type）")
    user: User | None = None
    if body.identifier and body.password:
        user = authenticate(request, username=body.identifier, password=body.password)
        if getattr(request, "axes_locked_out", False):
            raise AccountsError(AccountsErrorCode.LOCKED_OUT)
    elif body.phone and body.code:
        services.otp_code_verify(
            phone=body.phone, purpose=OneTimeCode.Purpose.LOGIN, code=body.code
        )
        user = user_for_identifier(body.phone)
    else:
        raise AccountsError(
            AccountsErrorCode.INVALID,
            message="请提供身份证号码（或手机号码）和密码，或手机号码和验证码",
        )
    if user is None or user.kind != User.Kind.PERSON or not user.is_active:
        services.audit_auth_event(
            action="auth.login_failed", user=None, source_ip=client_ip(request),
            detail={"method": "api"},
        )  # fmt: skip
        raise AccountsError(AccountsErrorCode.LOGIN_FAILED)
    token, access, refresh = services.api_token_issue(user=user, client=body.client)
    return _token_out(token, access, refresh)


@router.post("/token/refresh", response=TokenOut, summary="刷新令牌")
def token_refresh(request: HttpRequest, body: RefreshIn) -> TokenOut:
    token, access, refresh = services.api_token_refresh(refresh=body.refresh_token)
    return _token_out(token, access, refresh)


@router.post("/token/revoke", response={204: None}, auth=BearerToken(), summary="注销令牌")
def token_revoke(request: HttpRequest) -> Status:
    services.api_token_revoke(token=request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response=MeOut, auth=BearerToken(), summary="当前用户")
def me(request: HttpRequest) -> dict[str, Any]:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    person = selectors.person_of(token.user)
    if person is None:
        raise AccountsError(AccountsErrorCode.ROLE_REQUIRED, message="此接口仅供个人用户使用")
    enterprises = [
        {
            "id": e.pk,
            "name": e.name,
            "uscc": e.uscc,
            "role": "legal_representative" if e.legal_representative_id == person.pk else "agent",
        }
        for e in selectors.enterprises_for_person(person=person)
    ]
    return {
        "user_type": "person",
        "name": person.name,
        "id_number": mask_resident_id(person.resident_id),
        "phone": mask_phone(person.phone),
        "real_name_level": person.real_name_level,
        "enterprises": enterprises,
    }
