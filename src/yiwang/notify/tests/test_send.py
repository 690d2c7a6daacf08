"""`sms_send`: the outbox row in the caller's transaction, delivery after commit, refusals that
change nothing, and the per-number limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from yiwang.core.errors import YiwangError
from yiwang.notify.backends import last_code_for, read_sent
from yiwang.notify.models import MessageStatus, OutboxMessage
from yiwang.notify.services import sms_send

PHONE = "13912345678"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
CODE_PARAMS = {"code": "482913", "minutes": "5"}
DELIVER_PATH = "yiwang.notify.tasks.deliver_message"


def _send(phone: str = PHONE, **kwargs: Any) -> OutboxMessage:
    return sms_send(
        phone=phone, template="verification_code", params=CODE_PARAMS, category="verification",
        **kwargs,
    )  # fmt: skip


@pytest.mark.django_db
class TestOutboxRow:
    def test_row_written_and_delivery_queued_on_commit(
        self, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            message = _send(now=NOW)
        assert len(callbacks) == 1
        message.refresh_from_db()
        assert (message.phone, message.template, message.category) == (
            PHONE, "verification_code", "verification",
        )  # fmt: skip
        assert message.params == CODE_PARAMS
        assert message.text == "【庆阳政务】您的验证码为482913，5分钟内有效，请勿泄露给他人。"
        assert message.status == MessageStatus.PENDING
        assert (message.attempts, message.next_attempt_at, message.created_at) == (0, NOW, NOW)
        task = DBTaskResult.objects.get()
        assert task.task_path == DELIVER_PATH
        assert task.args_kwargs == {"args": [], "kwargs": {"message_id": message.pk}}

    def test_rolled_back_change_sends_nothing(
        self, django_capture_on_commit_callbacks: Any
    ) -> None:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            _send()
            raise RuntimeError("the caller's change failed")
        assert callbacks == []
        assert not OutboxMessage.objects.exists()
        assert not DBTaskResult.objects.exists()

    def test_surrounding_whitespace_is_trimmed(self) -> None:
        assert _send(phone=f" {PHONE}\n").phone == PHONE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone",
    ["1391234567", "139123456789", "12912345678", "23912345678", "139-1234-5678", "", "１３９"],
)
def test_malformed_number_is_refused_and_nothing_written(
    phone: str, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(YiwangError) as excinfo,
    ):
        _send(phone=phone)
    assert excinfo.value.code == "sms_invalid_phone"
    assert excinfo.value.message == "手机号码格式不正确，请输入 11 位手机号码。"
    assert excinfo.value.fields == {"phone": [excinfo.value.message]}
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_template_mistake_writes_nothing() -> None:
    with pytest.raises(YiwangError, match="缺少参数：minutes"):
        sms_send(phone=PHONE, template="verification_code", params={"code": "1"})
    with pytest.raises(YiwangError, match="不存在"):
        sms_send(phone=PHONE, template="verificaton_code", params=CODE_PARAMS)
    with pytest.raises(YiwangError, match="用途过长"):
        sms_send(phone=PHONE, template="verification_code", params=CODE_PARAMS, category="x" * 33)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
class TestRateLimit:
    @pytest.fixture(autouse=True)
    def _limits(self, configure: Callable[..., None]) -> None:
        configure(PER_PHONE_PER_MINUTE=2, PER_PHONE_PER_HOUR=3)

    def _refused(self, now: dt.datetime) -> None:
        before = OutboxMessage.objects.count()
        with pytest.raises(YiwangError) as excinfo:
            _send(now=now)
        assert excinfo.value.code == "sms_rate_limited"
        assert excinfo.value.status == 429
        assert excinfo.value.message == "该手机号码接收短信过于频繁，请稍后再试。"
        assert OutboxMessage.objects.count() == before

    def test_per_minute_then_per_hour(self) -> None:
        _send(now=NOW)
        _send(now=NOW + dt.timedelta(seconds=10))
        self._refused(NOW + dt.timedelta(seconds=30))
        # A minute after the first, the minute window has room again …
        _send(now=NOW + dt.timedelta(seconds=61))
        # … but three in the hour is the hourly limit.
        self._refused(NOW + dt.timedelta(minutes=5))
        self._refused(NOW + dt.timedelta(minutes=59))
        _send(now=NOW + dt.timedelta(minutes=60, seconds=11))
        assert OutboxMessage.objects.filter(phone=PHONE).count() == 4

    def test_other_numbers_are_not_affected(self) -> None:
        _send(now=NOW)
        _send(now=NOW)
        self._refused(NOW)
        assert _send(phone="13800001111", now=NOW).phone == "13800001111"

    def test_zero_means_no_limit(self, configure: Callable[..., None]) -> None:
        configure(PER_PHONE_PER_MINUTE=0, PER_PHONE_PER_HOUR=0)
        for _ in range(6):
            _send(now=NOW)
        assert OutboxMessage.objects.count() == 6


# The worker runs in these tests and manages its own connection: real transactions.
@pytest.mark.django_db(transaction=True)
class TestThroughTheWorker:
    def test_worker_delivers_into_the_file(self) -> None:
        message = _send()
        assert read_sent() == []  # queued, not yet sent
        call_command("worker", "--batch", verbosity=0)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert message.attempts == 1
        assert message.provider_message_id == f"file-{message.pk}"
        assert message.sent_at is not None and message.next_attempt_at is None
        [sent] = read_sent()
        assert (sent["message_id"], sent["phone"], sent["text"]) == (
            message.pk, PHONE, message.text,
        )  # fmt: skip
        assert last_code_for(PHONE) == "482913"

    def test_a_lost_task_is_sent_by_the_periodic_sweep(self) -> None:
        message = _send()
        DBTaskResult.objects.all().delete()  # the delivery task never ran
        # The worker's scheduler enqueues the sms_retry sweep, which finds the due message.
        call_command("worker", "--batch", verbosity=0)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert DBTaskResult.objects.filter(
            task_path="yiwang.notify.tasks.retry_due_messages", return_value=1
        ).exists()
        assert [m["message_id"] for m in read_sent()] == [message.pk]

    def test_two_queued_deliveries_send_once(self) -> None:
        from yiwang.notify.tasks import deliver_message

        message = _send()
        deliver_message.enqueue(message_id=message.pk)
        call_command("worker", "--batch", verbosity=0)
        assert DBTaskResult.objects.filter(task_path=DELIVER_PATH).count() == 2
        assert [m["message_id"] for m in read_sent()] == [message.pk]
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
