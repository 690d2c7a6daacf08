"""API access: the tokens of the apps (access and refresh) and the department systems' clients
(OAuth 2.0 client credentials)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import ADMIN_ROLES, ApiClient, ApiToken, Role, Staff, StaffRole, User
from yiwang.accounts.rules import token_digest
from yiwang.accounts.services._common import _actor, _require_role, _require_scope
from yiwang.core.audit import audit_record

# --- API tokens -----------------------------------------------------------------------------


def api_token_issue(*, user: User, client: str) -> tuple[ApiToken, str, str]:
    """A new access/refresh pair; the plain tokens are returned once and never stored."""
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            client=client[:40] or "app",
            access_hash=token_digest(access),
            refresh_hash=token_digest(refresh),
            access_expires_at=now + dt.timedelta(seconds=settings.API_ACCESS_TOKEN_SECONDS),
            refresh_expires_at=now + dt.timedelta(seconds=settings.API_REFRESH_TOKEN_SECONDS),
        )
        audit_record(
            actor=_actor(user),
            action="api.token_issued",
            object_type="api_token",
            object_id=token.pk,
            detail={"client": token.client},
        )
    return token, access, refresh


def api_token_refresh(*, refresh: str) -> tuple[ApiToken, str, str]:
    """Trade a refresh token for a new pair; the old pair is revoked (rotation)."""
    now = timezone.now()
    with transaction.atomic():
        old = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(refresh_hash=token_digest(refresh), revoked_at__isnull=True)
            .first()
        )
        if old is None or old.refresh_expires_at <= now or not old.user.is_active:
            raise AccountsError(AccountsErrorCode.TOKEN_INVALID)
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        return api_token_issue(user=old.user, client=old.client)


def api_token_revoke(*, token: ApiToken) -> None:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=_actor(token.user),
                action="api.token_revoked",
                object_type="api_token",
                object_id=token.pk,
            )


# --- API clients (department systems, OAuth 2.0 client credentials) ------------------------

API_CLIENT_SECRET_BYTES = 32


def api_client_create(*, actor: Staff | None, staff: Staff, name: str) -> tuple[ApiClient, str]:
    """A system administrator lets a department's system call the staff API as `staff` (a
    staff account of their region that holds no administrator role). Returns the client and
    its secret, which is shown this once and never stored."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, staff.department)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["请填写系统名称"]
    if not staff.user.is_active:
        errors["staff"] = ["该工作人员账号已停用"]
    elif StaffRole.objects.filter(staff=staff, role__in=ADMIN_ROLES).exists():
        errors["staff"] = ["接口客户端不能代表系统、安全或审计管理员"]
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    secret = secrets.token_urlsafe(API_CLIENT_SECRET_BYTES)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name[:100],
            client_id="yw_" + secrets.token_hex(12),
            secret_hash=token_digest(secret),
            staff=staff,
            created_by=actor,
        )
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="api.client_created",
            object_type="api_client",
            object_id=client.pk,
            detail={"client_id": client.client_id, "staff": staff.pk},
        )
    return client, secret


def api_client_revoke(*, actor: Staff | None, client: ApiClient) -> ApiClient:
    """Stop a client: it obtains no more tokens, and the tokens it holds stop working now."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, client.staff.department)
    now = timezone.now()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        tokens = ApiToken.objects.filter(api_client=locked, revoked_at__isnull=True)
        ended = tokens.update(revoked_at=now)
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="api.client_revoked",
            object_type="api_client",
            object_id=locked.pk,
            detail={"client_id": locked.client_id, "tokens_revoked": ended},
        )
    return locked


def api_client_token_issue(
    *, client_id: str, secret: str, source_ip: str | None = None
) -> tuple[ApiToken, str]:
    """Client credentials grant: an access token (no refresh token: the system asks again with
    its secret) acting as the client's staff account. Every refusal is the same answer."""
    client = (
        ApiClient.objects.select_related("staff__user")
        .filter(client_id=client_id.strip()[:40], revoked_at__isnull=True)
        .first()
    )
    digest = token_digest(secret)
    if (
        client is None
        or not secrets.compare_digest(client.secret_hash, digest)
        or not client.staff.user.is_active
        or StaffRole.objects.filter(staff=client.staff, role__in=ADMIN_ROLES).exists()
    ):
        audit_record(
            actor="anonymous",
            action="api.client_auth_failed",
            object_type="api_client",
            object_id=client.pk if client is not None else "",
            source_ip=source_ip,
            detail={"client_id": client_id.strip()[:40]},
        )
        raise AccountsError(AccountsErrorCode.CLIENT_INVALID)
    access = secrets.token_urlsafe(32)
    now = timezone.now()
    expires = now + dt.timedelta(seconds=settings.API_ACCESS_TOKEN_SECONDS)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=client.staff.user,
            client=client.client_id,
            api_client=client,
            access_hash=token_digest(access),
            refresh_hash=None,
            access_expires_at=expires,
            refresh_expires_at=expires,
        )
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        audit_record(
            actor=f"api_client:{client.client_id}",
            action="api.token_issued",
            object_type="api_token",
            object_id=token.pk,
            source_ip=source_ip,
            detail={"client": client.client_id, "grant": "client_credentials"},
        )
    return token, access
