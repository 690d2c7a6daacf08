"""`message_deliver` and the sweep: once only, backoff on temporary failures, giving up, leases."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.models import AuditRecord
from yiwang.notify.backends import read_sent
from yiwang.notify.models import MessageStatus, OutboxMessage
from yiwang.notify.rules import retry_delay
from yiwang.notify.services import message_deliver, message_resend, messages_retry_due, sms_send
from yiwang.notify.tests.scripted import ScriptedBackend, down, refused

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)


def _queued(now: dt.datetime = NOW) -> OutboxMessage:
    return sms_send(
        phone=PHONE, template="verification_code", params={"code": "482913", "minutes": "5"},
        category="verification", now=now,
    )  # fmt: skip


def _reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def test_retry_delay_doubles_up_to_the_cap() -> None:
    delays = [retry_delay(attempts=n, base_seconds=60, max_seconds=3600) for n in range(1, 9)]
    assert [d.total_seconds() for d in delays] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(attempts=500, base_seconds=60, max_seconds=3600) == 3600 * S


def test_delivering_twice_sends_once() -> None:
    message = _queued()
    first = message_deliver(message_id=message.pk, now=NOW)
    second = message_deliver(message_id=message.pk, now=NOW + 5 * S)
    assert first.status == second.status == MessageStatus.SENT
    assert second.attempts == 1
    assert second.sent_at == NOW
    assert len(read_sent()) == 1


def test_a_message_waiting_for_its_backoff_is_not_sent_early(
    scripted: type[ScriptedBackend],
) -> None:
    message = _queued()
    scripted.outcomes = [down()]
    message_deliver(message_id=message.pk, now=NOW)
    # A second delivery task (or a sweep) before the backoff ends does nothing.
    early = message_deliver(message_id=message.pk, now=NOW + 59 * S)
    assert (early.status, early.attempts) == (MessageStatus.PENDING, 1)
    assert scripted.calls == [message.pk]
    later = message_deliver(message_id=message.pk, now=NOW + 60 * S)
    assert (later.status, later.attempts) == (MessageStatus.SENT, 2)


def test_temporary_failures_back_off_then_give_up(
    scripted: type[ScriptedBackend], configure: Callable[..., None]
) -> None:
    configure(MAX_ATTEMPTS=3)
    message = _queued()
    scripted.outcomes = [down(), down(), down(), down()]

    failed_once = message_deliver(message_id=message.pk, now=NOW)
    assert failed_once.status == MessageStatus.PENDING
    assert failed_once.attempts == 1
    assert failed_once.next_attempt_at == NOW + 60 * S
    assert failed_once.last_error == "CONNECTION_ERROR"

    assert messages_retry_due(now=NOW + 59 * S) == 0  # not due yet
    assert messages_retry_due(now=NOW + 60 * S) == 1
    failed_twice = _reload(message)
    assert (failed_twice.status, failed_twice.attempts) == (MessageStatus.PENDING, 2)
    assert failed_twice.next_attempt_at == NOW + 180 * S  # 60 s later plus 120 s

    assert messages_retry_due(now=NOW + 180 * S) == 1
    given_up = _reload(message)
    assert (given_up.status, given_up.attempts) == (MessageStatus.FAILED, 3)
    assert given_up.next_attempt_at is None
    assert given_up.get_status_display() == "发送失败"
    assert messages_retry_due(now=NOW + dt.timedelta(days=1)) == 0
    assert len(scripted.calls) == 3


def test_a_permanent_failure_gives_up_at_once(scripted: type[ScriptedBackend]) -> None:
    message = _queued()
    scripted.outcomes = [refused("INVALID_PHONE")]
    result = message_deliver(message_id=message.pk, now=NOW)
    assert (result.status, result.attempts) == (MessageStatus.FAILED, 1)
    assert result.last_error == "INVALID_PHONE"
    assert result.next_attempt_at is None


def test_a_backend_fault_is_retried_and_its_message_not_kept(
    scripted: type[ScriptedBackend],
) -> None:
    message = _queued()
    scripted.outcomes = [KeyError("【庆阳政务】您的验证码为482913")]
    result = message_deliver(message_id=message.pk, now=NOW)
    assert result.status == MessageStatus.PENDING
    assert result.last_error == "BACKEND_ERROR: KeyError"
    assert "482913" not in result.last_error


def test_success_after_failures_clears_the_error(scripted: type[ScriptedBackend]) -> None:
    message = _queued()
    scripted.outcomes = [down()]
    message_deliver(message_id=message.pk, now=NOW)
    result = message_deliver(message_id=message.pk, now=NOW + 60 * S)
    assert result.status == MessageStatus.SENT
    assert result.last_error == ""
    assert result.provider_message_id == f"scripted-{message.pk}-2"


def test_a_worker_that_died_while_sending_is_taken_over_after_its_lease(
    scripted: type[ScriptedBackend],
) -> None:
    message = _queued()
    # A worker claimed the message (status "sending", lease of 120 s) and then died.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, next_attempt_at=NOW + 120 * S
    )
    assert message_deliver(message_id=message.pk, now=NOW + 10 * S).status == "sending"
    assert messages_retry_due(now=NOW + 119 * S) == 0
    assert scripted.calls == []
    assert messages_retry_due(now=NOW + 120 * S) == 1
    taken_over = _reload(message)
    assert (taken_over.status, taken_over.attempts) == (MessageStatus.SENT, 2)
    assert scripted.calls == [message.pk]


def test_a_misconfigured_backend_counts_no_attempt(configure: Callable[..., None]) -> None:
    message = _queued()
    configure(SMS_BACKEND="yiwang.notify.backends.HttpGatewayBackend", GATEWAY_URL="")
    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY_URL"):
        message_deliver(message_id=message.pk, now=NOW)
    unchanged = _reload(message)
    assert (unchanged.status, unchanged.attempts) == (MessageStatus.PENDING, 0)


def test_a_missing_message_is_reported_by_the_task() -> None:
    from yiwang.notify.tasks import deliver_message

    assert deliver_message.call(message_id=987654) == "missing"


def test_sweep_tries_each_due_message_once_per_run(
    scripted: type[ScriptedBackend], configure: Callable[..., None]
) -> None:
    configure(BACKOFF_SECONDS=0, PER_PHONE_PER_MINUTE=0, PER_PHONE_PER_HOUR=0)
    messages = [_queued() for _ in range(3)]
    scripted.outcomes = [down()] * 10
    # With no backoff each failed message is due again at once; the sweep still moves on.
    assert messages_retry_due(now=NOW) == 3
    assert scripted.calls == [m.pk for m in messages]


def test_resend_gives_a_failed_message_fresh_attempts(
    scripted: type[ScriptedBackend], django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    message = _queued()
    scripted.outcomes = [refused()]
    message_deliver(message_id=message.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        resent = message_resend(message=message, actor="user:1:admin")
    assert (resent.status, resent.attempts, resent.last_error) == ("pending", 0, "INVALID_PHONE")
    task = DBTaskResult.objects.get(task_path="yiwang.notify.tasks.deliver_message")
    assert task.args_kwargs["kwargs"] == {"message_id": message.pk}
    delivered = message_deliver(message_id=message.pk)
    assert (delivered.status, delivered.attempts) == (MessageStatus.SENT, 1)
    assert scripted.calls == [message.pk, message.pk]
    record = AuditRecord.objects.get(action="notify.message_resend")
    assert record.detail == {"template": "verification_code", "phone": "139****5678"}
    assert record.object_id == str(message.pk)


def test_only_failed_messages_can_be_resent() -> None:
    from yiwang.core.errors import YiwangError

    message = _queued()
    with pytest.raises(YiwangError, match="只有发送失败的短信可以重新发送"):
        message_resend(message=message, actor="user:1:admin")
    assert not AuditRecord.objects.filter(action="notify.message_resend").exists()


def test_logs_carry_no_number_and_no_text(
    scripted: type[ScriptedBackend], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yiwang.notify")
    scripted.outcomes = [down(), refused()]
    ok = _queued()
    message_deliver(message_id=ok.pk, now=NOW)
    message_deliver(message_id=ok.pk, now=NOW + 60 * S)
    failing = _queued()
    message_deliver(message_id=failing.pk, now=NOW)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "139****5678" in logged
    assert "given up" in logged and "retry at" in logged and "sent to" in logged
    assert PHONE not in logged
    assert "482913" not in logged
