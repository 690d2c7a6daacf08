"""SMS one-time codes (短信验证码): sent, rate-limited, verified."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import OneTimeCode
from yiwang.accounts.rules import code_digest, is_mobile
from yiwang.core.audit import audit_record
from yiwang.core.masking import mask_phone
from yiwang.notify.services import sms_send

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
