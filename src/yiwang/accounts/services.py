"""Accounts services: registration, codes, real-name evidence, enterprises and agents, staff
and roles, API tokens. Each is the only write path for what it changes, and audits it."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import (
    ADMIN_ROLES,
    AgentGrant,
    AgentScope,
    ApiClient,
    ApiToken,
    Enterprise,
    EvidenceKind,
    OneTimeCode,
    Person,
    RealNameEvidence,
    Role,
    Staff,
    StaffRole,
    User,
)
from yiwang.accounts.rules import (
    ADMIN_ROLE_PERMISSIONS,
    code_digest,
    is_mobile,
    luhn_ok,
    real_name_level,
    token_digest,
)
from yiwang.accounts.selectors import has_role
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import IdentifierError, check_resident_id, check_uscc
from yiwang.core.masking import mask_phone
from yiwang.notify.services import sms_send
from yiwang.regions.models import Department

AGENT_GRANT_MAX_DAYS = 3 * 366


def _actor(user: User | None) -> str:
    return f"user:{user.pk}:{user.get_username()}" if user is not None else "anonymous"


# --- SMS one-time codes ---------------------------------------------------------------------


def otp_code_send(
    *, phone: str, purpose: str, source_ip: str | None = None, now: dt.datetime | None = None
) -> OneTimeCode:
    """Send a 6-digit code by SMS; rate-limited per phone and purpose."""
    phone = phone.strip()
    if not is_mobile(phone):
        raise AccountsError(AccountsErrorCode.PHONE_INVALID, field="phone")
    now = now or timezone.now()
    recent = OneTimeCode.objects.filter(phone=phone, purpose=purpose)
    last = recent.order_by("-created_at").first()
    interval = settings.OTP_SEND_INTERVAL_SECONDS
    if last is not None and (now - last.created_at).total_seconds() < interval:
        wait = interval - int((now - last.created_at).total_seconds())
        raise AccountsError(
            AccountsErrorCode.CODE_TOO_FREQUENT, message=f"验证码发送过于频繁，请 {wait} 秒后再试"
        )
    if recent.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= (
        settings.OTP_SEND_DAILY_LIMIT
    ):
        raise AccountsError(AccountsErrorCode.CODE_DAILY_LIMIT)
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = settings.OTP_CODE_TTL_SECONDS
    with transaction.atomic():
        record = OneTimeCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_digest(
                secret=settings.SECRET_KEY, phone=phone, purpose=purpose, code=code
            ),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
        sms_send(
            phone=phone,
            template="verification_code",
            params={"code": code, "minutes": str(ttl // 60)},
            category="verification",
        )
        audit_record(
            actor="anonymous",
            action="auth.code_sent",
            object_type="one_time_code",
            object_id=record.pk,
            source_ip=source_ip,
            detail={"purpose": purpose, "phone": mask_phone(phone)},
        )
    return record


def otp_code_verify(*, phone: str, purpose: str, code: str, now: dt.datetime | None = None) -> None:
    """Accept a code once. Wrong codes count; too many attempts end the code."""
    now = now or timezone.now()
    phone, code = phone.strip(), code.strip()
    failure: AccountsErrorCode | None = None
    with transaction.atomic():
        record = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if record is None:
            raise AccountsError(AccountsErrorCode.CODE_INVALID, field="code")
        record.attempts += 1
        expected = code_digest(secret=settings.SECRET_KEY, phone=phone, purpose=purpose, code=code)
        if record.attempts > settings.OTP_CODE_MAX_ATTEMPTS:
            record.used_at = now  # spent: a new code must be requested
            failure = AccountsErrorCode.CODE_TOO_MANY_ATTEMPTS
        elif not secrets.compare_digest(record.code_hash, expected):
            failure = AccountsErrorCode.CODE_WRONG
        else:
            record.used_at = now
        record.save(update_fields=["attempts", "used_at"])
    if failure is not None:  # raised after commit, so the attempt is counted
        raise AccountsError(failure, field="code")


# --- Natural persons ------------------------------------------------------------------------


def _check_phone_and_password(
    errors: dict[str, list[str]], *, phone: str, password: str, phone_required: bool
) -> None:
    """Add the phone's and the password's problems, if any, to `errors`."""
    if (phone or phone_required) and not is_mobile(phone):
        errors["phone"] = [AccountsErrorCode.PHONE_INVALID.message]
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)


def person_register(
    *,
    name: str,
    resident_id: str,
    phone: str,
    password: str,
    code: str,
    source_ip: str | None = None,
) -> Person:
    """Register a person: ID number and name, a phone proven by SMS code, a password."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not 2 <= len(name) <= 30:
        errors["name"] = ["请填写与身份证一致的姓名"]
    try:
        resident_id = check_resident_id(resident_id)
    except IdentifierError as exc:
        errors["resident_id"] = [str(exc)]
    phone = phone.strip()
    _check_phone_and_password(errors, phone=phone, password=password, phone_required=True)
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    otp_code_verify(phone=phone, purpose=OneTimeCode.Purpose.REGISTER, code=code)
    return person_create(
        name=name, resident_id=resident_id, phone=phone, password=password, source_ip=source_ip
    )


def person_create(
    *,
    name: str,
    resident_id: str,
    phone: str,
    password: str,
    actor: User | None = None,
    source_ip: str | None = None,
) -> Person:
    """Create a person whose phone is proven (by SMS code, or in person by `actor` at a window)."""
    resident_id = check_resident_id(resident_id)
    if Person.objects.filter(resident_id=resident_id).exists():
        raise AccountsError(AccountsErrorCode.ID_TAKEN, field="resident_id")
    if Person.objects.filter(phone=phone).exists():
        raise AccountsError(AccountsErrorCode.PHONE_TAKEN, field="phone")
    with transaction.atomic():
        user = User(username=f"p{secrets.token_hex(8)}", kind=User.Kind.PERSON, display_name=name)
        user.set_password(password)
        user.save()
        person = Person.objects.create(user=user, name=name, resident_id=resident_id, phone=phone)
        RealNameEvidence.objects.create(
            person=person,
            kind=EvidenceKind.PHONE,
            reference=mask_phone(phone),
            source="短信验证码" if actor is None else "窗口核验",
            verified_at=timezone.now(),
        )
        audit_record(
            actor=_actor(actor or user),
            action="person.register",
            object_type="person",
            object_id=person.pk,
            source_ip=source_ip,
        )
    return person


def person_evidence_add(
    *, person: Person, kind: str, number: str, source: str, actor: User | None = None
) -> Person:
    """Record one item matched against its authoritative source; the level follows the rule.

    The check itself is the identity-source adapter's (`accounts.verification`); this records
    its positive answer.
    """
    if kind not in EvidenceKind.values:
        raise AccountsError(AccountsErrorCode.INVALID, fields={"kind": ["无效的比对项"]})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        RealNameEvidence.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={
                "reference": _mask_reference(number),
                "source": source,
                "verified_at": timezone.now(),
            },
        )
        kinds = person.evidence.values_list("kind", flat=True)
        # Adding evidence never lowers a level (one may have come from the provincial login).
        before = person.real_name_level
        after = max(before, int(real_name_level(kinds)))
        if after != before:
            person.real_name_level = after
            person.save(update_fields=["real_name_level"])
        audit_record(
            actor=_actor(actor or person.user),
            action="person.evidence_added",
            object_type="person",
            object_id=person.pk,
            detail={"kind": kind, "level_before": before, "level_after": after},
        )
    return person


def _mask_reference(number: str) -> str:
    number = number.strip()
    return ("*" * max(len(number) - 4, 0)) + number[-4:] if number else ""


def person_verify_item(*, person: Person, kind: str, number: str) -> Person:
    """Check an item with the identity sources; on a match, record it and raise the level."""
    from yiwang.accounts.verification import identity_source

    number = number.strip().upper()
    if kind == EvidenceKind.BANK_CARD and not luhn_ok(number):
        raise AccountsError(AccountsErrorCode.INVALID, fields={"number": ["银行卡号不正确"]})
    if not identity_source().matches(
        kind=kind, number=number, name=person.name, resident_id=person.resident_id
    ):
        raise AccountsError(AccountsErrorCode.EVIDENCE_MISMATCH, field="number")
    return person_evidence_add(
        person=person, kind=kind, number=number, source=identity_source().name
    )


# --- Enterprises and agents -----------------------------------------------------------------


def enterprise_register(
    *,
    person: Person,
    uscc: str,
    name: str,
    legal_representative_name: str,
    legal_representative_resident_id: str,
) -> Enterprise:
    """Register an enterprise account; only its legal representative may do so."""
    errors: dict[str, list[str]] = {}
    try:
        uscc = check_uscc(uscc)
    except IdentifierError as exc:
        errors["uscc"] = [str(exc)]
    try:
        legal_representative_resident_id = check_resident_id(legal_representative_resident_id)
    except IdentifierError as exc:
        errors["legal_representative_resident_id"] = [str(exc)]
    if not name.strip():
        errors["name"] = ["请填写单位名称"]
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    if (
        legal_representative_resident_id != person.resident_id
        or legal_representative_name.strip() != person.name
    ):
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    if Enterprise.objects.filter(uscc=uscc).exists():
        raise AccountsError(AccountsErrorCode.ENTERPRISE_TAKEN, field="uscc")
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            uscc=uscc,
            name=name.strip(),
            legal_representative_name=person.name,
            legal_representative_resident_id=person.resident_id,
            legal_representative=person,
        )
        audit_record(
            actor=_actor(person.user),
            action="enterprise.register",
            object_type="enterprise",
            object_id=enterprise.pk,
        )
    return enterprise


def agent_grant(
    *,
    enterprise: Enterprise,
    granted_by: Person,
    agent_resident_id: str,
    agent_name: str,
    scope: str,
    valid_until: dt.date,
    today: dt.date | None = None,
) -> AgentGrant:
    """The legal representative grants a registered person the right to act for the enterprise."""
    today = today or timezone.localdate()
    if enterprise.legal_representative_id != granted_by.pk:
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    errors: dict[str, list[str]] = {}
    if scope not in AgentScope.values:
        errors["scope"] = ["请选择授权范围"]
    if valid_until <= today:
        errors["valid_until"] = ["有效期应晚于今天"]
    elif (valid_until - today).days > AGENT_GRANT_MAX_DAYS:
        errors["valid_until"] = ["授权有效期最长三年"]
    try:
        agent_resident_id = check_resident_id(agent_resident_id)
    except IdentifierError as exc:
        errors["agent_resident_id"] = [str(exc)]
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    agent = Person.objects.filter(resident_id=agent_resident_id, name=agent_name.strip()).first()
    if agent is None:
        raise AccountsError(AccountsErrorCode.AGENT_NOT_FOUND, field="agent_resident_id")
    if agent.pk == granted_by.pk:
        raise AccountsError(
            AccountsErrorCode.INVALID, fields={"agent_resident_id": ["无需授权本人"]}
        )
    try:
        with transaction.atomic():
            grant = AgentGrant.objects.create(
                enterprise=enterprise,
                agent=agent,
                scope=scope,
                valid_until=valid_until,
                granted_by=granted_by,
            )
            audit_record(
                actor=_actor(granted_by.user),
                action="agent.grant",
                object_type="agent_grant",
                object_id=grant.pk,
                detail={"enterprise": enterprise.pk, "agent": agent.pk, "scope": scope,
                        "valid_until": valid_until.isoformat()},
            )  # fmt: skip
    except IntegrityError:
        raise AccountsError(AccountsErrorCode.GRANT_EXISTS) from None
    return grant


def agent_revoke(*, grant: AgentGrant, revoked_by: Person) -> AgentGrant:
    if grant.enterprise.legal_representative_id != revoked_by.pk:
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    with transaction.atomic():
        grant = AgentGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at, grant.revoked_by = timezone.now(), revoked_by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=_actor(revoked_by.user),
            action="agent.revoke",
            object_type="agent_grant",
            object_id=grant.pk,
        )
    return grant


# --- Staff and roles ------------------------------------------------------------------------


def _require_role(actor: Staff, role: Role) -> None:
    if not has_role(actor, role):
        raise AccountsError(
            AccountsErrorCode.ROLE_REQUIRED, message=f"您没有权限执行此操作：需要“{role.label}”角色"
        )


def _require_scope(actor: Staff, department: Department) -> None:
    if not department.region_prefix.startswith(actor.region_prefix):
        raise AccountsError(AccountsErrorCode.OUT_OF_SCOPE)


def staff_create(
    *,
    actor: Staff | None,
    username: str,
    name: str,
    department: Department,
    phone: str,
    password: str,
) -> Staff:
    """A system administrator creates a staff account in their region (None: installation)."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, department)
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username=username.strip()).exists() or not username.strip():
        errors["username"] = ["该用户名已被使用或为空"]
    _check_phone_and_password(errors, phone=phone, password=password, phone_required=False)
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    with transaction.atomic():
        user = User(username=username.strip(), kind=User.Kind.STAFF, display_name=name.strip())
        user.set_password(password)
        user.save()
        staff = Staff.objects.create(
            user=user,
            name=name.strip(),
            department=department,
            region_prefix=department.region_prefix,
            phone=phone,
        )
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.create",
            object_type="staff",
            object_id=staff.pk,
            detail={"department": department.pk},
        )
    return staff


def staff_move(*, actor: Staff | None, staff: Staff, department: Department) -> Staff:
    """A system administrator moves a staff member to another department of their region; the
    member's region scope follows the department."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN)
        _require_scope(actor, staff.department)
        _require_scope(actor, department)
    if staff.department_id == department.pk:
        return staff
    with transaction.atomic():
        before = staff.department_id
        staff.department, staff.region_prefix = department, department.region_prefix
        staff.save(update_fields=["department", "region_prefix"])
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.move",
            object_type="staff",
            object_id=staff.pk,
            detail={"from": before, "to": department.pk},
        )
    return staff


def staff_role_grant(*, actor: Staff | None, staff: Staff, role: str) -> StaffRole:
    """A security administrator grants a role; the three administrator roles never combine."""
    if role not in Role.values:
        raise AccountsError(AccountsErrorCode.INVALID, fields={"role": ["无效的角色"]})
    if actor is not None:
        _require_role(actor, Role.SECURITY_ADMIN)
        _require_scope(actor, staff.department)
        if actor.pk == staff.pk:
            raise AccountsError(AccountsErrorCode.SELF_GRANT)
    try:
        with transaction.atomic():
            granted = StaffRole.objects.create(
                staff=staff, role=role, granted_by=actor.user if actor else None
            )
            _sync_admin_flags(staff)
            audit_record(
                actor=_actor(actor.user) if actor else "cli",
                action="staff.role_grant",
                object_type="staff",
                object_id=staff.pk,
                detail={"role": role},
            )
    except IntegrityError:
        held = set(staff.roles.values_list("role", flat=True))
        if role in held:
            raise AccountsError(AccountsErrorCode.ROLE_HELD) from None
        raise AccountsError(AccountsErrorCode.ADMIN_ROLES_SEPARATE) from None
    return granted


def staff_role_revoke(*, actor: Staff | None, staff: Staff, role: str) -> None:
    if actor is not None:
        _require_role(actor, Role.SECURITY_ADMIN)
        _require_scope(actor, staff.department)
    with transaction.atomic():
        deleted, _ = StaffRole.objects.filter(staff=staff, role=role).delete()
        if not deleted:
            return
        _sync_admin_flags(staff)
        audit_record(
            actor=_actor(actor.user) if actor else "cli",
            action="staff.role_revoke",
            object_type="staff",
            object_id=staff.pk,
            detail={"role": role},
        )


def _sync_admin_flags(staff: Staff) -> None:
    """Administrators use the Django admin (after the second factor), each with only the
    permissions of their own role; everyone else has no admin access at all."""
    held = set(staff.roles.filter(role__in=ADMIN_ROLES).values_list("role", flat=True))
    codes = {code for role in held for code in ADMIN_ROLE_PERMISSIONS[role]}
    permissions = [
        p
        for p in Permission.objects.select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in codes
    ]
    user = staff.user
    user.is_staff = bool(held)
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(permissions)


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


def audit_auth_event(
    *, action: str, user: User | None, source_ip: str | None, detail: dict[str, Any] | None = None
) -> None:
    """Login, logout, failure and lockout events (no identifiers in clear)."""
    audit_record(
        actor=_actor(user),
        action=action,
        object_type="user" if user is not None else "",
        object_id=user.pk if user is not None else "",
        source_ip=source_ip,
        detail=detail or {},
    )
