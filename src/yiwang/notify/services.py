"""Every write of the notify domain: queue an SMS, deliver it, resend it, sweep the overdue ones.

An SMS is an outbox row written in the caller's transaction; delivery runs after commit in a
task, so a rolled-back change sends nothing and a committed one is delivered even if the gateway
is down when it commits (the retry sweep sends it later). Logs carry the masked number and never
the text: verification codes and query passwords are secrets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Mapping

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_phone
from yiwang.notify.backends import SmsBackend, get_sms_backend
from yiwang.notify.conf import NotifySettings, notify_settings
from yiwang.notify.errors import NotifyErrorCode, SmsDeliveryError
from yiwang.notify.models import CATEGORY_MAX_LENGTH, Channel, MessageStatus, OutboxMessage
from yiwang.notify.rules import is_mobile_number, retry_delay
from yiwang.notify.tasks import deliver_message
from yiwang.notify.templates import render_template

logger = logging.getLogger(__name__)

_OPEN_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING)
_SWEEP_CHUNK = 100


def sms_send(
    *,
    phone: str,
    template: str,
    params: Mapping[str, str],
    category: str = "",
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue an SMS: validate, render, check the per-number limits, write the outbox row in the
    caller's transaction and deliver it after commit.

    Raises `YiwangError` (nothing written) for a malformed number, an unknown template or wrong
    parameters, or a number that has had too many messages lately.
    """
    phone = phone.strip() if isinstance(phone, str) else ""
    if not is_mobile_number(phone):
        message_text = "手机号码格式不正确，请输入 11 位手机号码。"
        raise YiwangError(
            message_text, code=NotifyErrorCode.INVALID_PHONE, fields={"phone": [message_text]}
        )
    if len(category) > CATEGORY_MAX_LENGTH:
        raise YiwangError("短信用途过长。", code=NotifyErrorCode.INVALID_CATEGORY)
    conf = notify_settings()
    text = render_template(template, params, sign_name=conf.sign_name)
    now = now or timezone.now()
    # No savepoint inside a caller's transaction (two round trips saved on every case
    # submission): nothing raises inside this block but the database itself, and a refusal is
    # raised after it, so a caller that catches the refusal keeps a usable transaction.
    with transaction.atomic(savepoint=False):
        _lock_phone(phone)
        refusal = _rate_limit_refusal(phone=phone, now=now, conf=conf)
        if refusal is None:
            message = OutboxMessage.objects.create(
                channel=Channel.SMS,
                phone=phone,
                template=template,
                params=dict(params),
                text=text,
                category=category,
                status=MessageStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
            _deliver_after_commit(message.pk)
    if refusal is not None:
        raise refusal
    logger.info("sms %s queued: %s to %s", message.pk, template, mask_phone(phone))
    return message


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> OutboxMessage:
    """Send one message if it is due and not already sent (idempotent: twice sends once).

    The row is claimed in a short locked transaction (status "sending", one attempt counted, a
    lease in `next_attempt_at`), the backend is called outside it, and the outcome is recorded:
    sent; a temporary failure retried after an exponential backoff; given up ("failed") on a
    permanent failure or after `MAX_ATTEMPTS`. A message another worker holds is left alone.
    """
    conf = notify_settings()
    backend = get_sms_backend()  # a misconfiguration raises here, before an attempt is counted
    claimed = _message_claim(message_id=message_id, now=now or timezone.now(), conf=conf)
    if claimed is None:
        return OutboxMessage.objects.get(pk=message_id)
    return _message_attempt(message=claimed, backend=backend, now=now, conf=conf)


def message_resend(
    *, message: OutboxMessage, actor: str, source_ip: str | None = None
) -> OutboxMessage:
    """Give a failed message a fresh set of attempts and deliver it again (admin action)."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != MessageStatus.FAILED:
            raise YiwangError(
                "只有发送失败的短信可以重新发送。", code=NotifyErrorCode.NOT_RESENDABLE
            )
        locked.status = MessageStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="notify.message_resend",
            object_type="notify.outboxmessage",
            object_id=locked.pk,
            source_ip=source_ip,
            detail={"template": locked.template, "phone": mask_phone(locked.phone)},
        )
        _deliver_after_commit(locked.pk)
    return locked


def messages_retry_due(*, now: dt.datetime | None = None, budget_seconds: float = 50.0) -> int:
    """Deliver every message whose next attempt is due (after a backoff, an outage, a lost task
    or a worker that died while sending); return how many were attempted.

    Each message is tried at most once per sweep; the sweep stops after `budget_seconds` and the
    next one carries on. Several sweeps may run at once: each message is claimed by one of them.
    """
    deadline = time.monotonic() + budget_seconds
    attempted, cursor = 0, 0
    while time.monotonic() < deadline:
        due = now or timezone.now()
        ids = list(
            OutboxMessage.objects.filter(
                next_attempt_at__lte=due, status__in=_OPEN_STATUSES, pk__gt=cursor
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:_SWEEP_CHUNK]
        )
        if not ids:
            break
        for message_id in ids:
            cursor = message_id
            try:
                message_deliver(message_id=message_id, now=now)
            except OutboxMessage.DoesNotExist:
                continue
            attempted += 1
            if time.monotonic() >= deadline:
                break
    if attempted:
        logger.info("sms retry sweep attempted %s messages", attempted)
    return attempted


# --- Internals -----------------------------------------------------------------------------------


def _deliver_after_commit(message_id: int) -> None:
    # robust: the caller's change is committed whatever happens here; a task that could not be
    # queued is picked up by the retry sweep, since the row is due.
    transaction.on_commit(lambda: deliver_message.enqueue(message_id=message_id), robust=True)


def _lock_phone(phone: str) -> None:
    """Serialize sends to one number so the rate limit counts exactly. PostgreSQL: an advisory
    lock held to the end of the transaction; SQLite already serializes writing transactions."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"notify.sms:{phone}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _rate_limit_refusal(
    *, phone: str, now: dt.datetime, conf: NotifySettings
) -> YiwangError | None:
    counts = OutboxMessage.objects.filter(
        phone=phone, created_at__gt=now - dt.timedelta(hours=1)
    ).aggregate(
        hour=Count("pk"),
        minute=Count("pk", filter=Q(created_at__gt=now - dt.timedelta(minutes=1))),
    )
    over_minute = 0 < conf.per_phone_per_minute <= counts["minute"]
    over_hour = 0 < conf.per_phone_per_hour <= counts["hour"]
    if over_minute or over_hour:
        logger.warning("sms to %s refused: per-number rate limit", mask_phone(phone))
        return YiwangError(
            "该手机号码接收短信过于频繁，请稍后再试。",
            code=NotifyErrorCode.RATE_LIMITED,
            status=429,
        )
    return None


def _message_claim(
    *, message_id: int, now: dt.datetime, conf: NotifySettings
) -> OutboxMessage | None:
    """Lock the row and mark it "sending" with a lease, or None if it is not ours to send."""
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        else:
            rows = rows.select_for_update()
        message = rows.first()
        if message is None or message.status not in _OPEN_STATUSES:
            return None  # missing, locked by another worker, sent or given up
        # A message never tried is due at once (whatever the clocks of web and worker say);
        # after an attempt, it waits for its backoff or for another worker's lease to run out.
        waiting = message.next_attempt_at is not None and message.next_attempt_at > now
        if message.attempts > 0 and waiting:
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.next_attempt_at = now + dt.timedelta(seconds=conf.sending_lease_seconds)
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
    return message


def _message_attempt(
    *,
    message: OutboxMessage,
    backend: SmsBackend,
    now: dt.datetime | None,
    conf: NotifySettings,
) -> OutboxMessage:
    error: SmsDeliveryError | None = None
    provider_id = ""
    try:
        provider_id = backend.send(
            phone=message.phone,
            text=message.text,
            message_id=message.pk,
            template=message.template,
            params=message.params,
            client_msg_id=str(message.client_msg_id),
        )
    except SmsDeliveryError as exc:
        error = exc
    except Exception as exc:
        # A fault in the backend itself: retried like a temporary failure. Only the exception's
        # type is logged and kept, since its message could quote the text.
        error = SmsDeliveryError("BACKEND_ERROR", temporary=True, detail=type(exc).__name__)
    return _message_record(
        message_id=message.pk, provider_id=provider_id, error=error, now=now, conf=conf
    )


def _message_record(
    *,
    message_id: int,
    provider_id: str,
    error: SmsDeliveryError | None,
    now: dt.datetime | None,
    conf: NotifySettings,
) -> OutboxMessage:
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        masked = mask_phone(message.phone)
        if message.status == MessageStatus.SENT:
            return message  # a worker that took over after our lease ran out finished first
        if error is None:
            message.status = MessageStatus.SENT
            message.sent_at = now
            message.provider_message_id = provider_id[:64]
            message.next_attempt_at = None
            message.last_error = ""
            logger.info("sms %s sent to %s (attempt %s)", message_id, masked, message.attempts)
        else:
            message.last_error = str(error)[:200]
            if error.temporary and message.attempts < conf.max_attempts:
                message.status = MessageStatus.PENDING
                message.next_attempt_at = now + retry_delay(
                    attempts=message.attempts,
                    base_seconds=conf.backoff_seconds,
                    max_seconds=conf.backoff_max_seconds,
                )
                logger.warning(
                    "sms %s to %s failed (attempt %s, %s); retry at %s",
                    message_id, masked, message.attempts, error.code,
                    message.next_attempt_at.isoformat(),
                )  # fmt: skip
            else:
                message.status = MessageStatus.FAILED
                message.next_attempt_at = None
                logger.error(
                    "sms %s to %s given up after %s attempts: %s",
                    message_id, masked, message.attempts, error.code,
                )  # fmt: skip
        message.save(
            update_fields=[
                "status", "sent_at", "provider_message_id", "next_attempt_at", "last_error",
            ]
        )  # fmt: skip
    return message
