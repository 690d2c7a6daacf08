"""`report_deliver` and the sweep: once only, backoff, giving up, leases, order within a case."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from yiwang.core.errors import YiwangError
from yiwang.core.models import AuditRecord
from yiwang.reporting.backends import read_reported
from yiwang.reporting.codes import Dataset
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.services import (
    report_deliver,
    report_enqueue,
    report_retry,
    reports_retry_due,
)
from yiwang.reporting.tests.factories import (
    PAYLOADS,
    PHONE,
    RESIDENT_ID,
    acceptance,
    application,
    case_number,
    step,
)
from yiwang.reporting.tests.scripted import ScriptedBackend, down, refused

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)


def _queued(
    dataset: Dataset = Dataset.APPLICATION,
    *,
    serial: int = 1,
    key: str = "",
    now: dt.datetime = NOW,
) -> ReportRecord:
    number = case_number(serial)
    return report_enqueue(
        dataset=dataset,
        source_key=key or f"case:{serial}:{dataset}",
        case_number=number,
        payload=PAYLOADS[dataset](case_number=number),
        now=now,
    )


def _reload(record: ReportRecord) -> ReportRecord:
    return ReportRecord.objects.get(pk=record.pk)


pytestmark = pytest.mark.django_db


def test_delivering_twice_reports_once() -> None:
    record = _queued()
    first = report_deliver(report_id=record.pk, now=NOW)
    second = report_deliver(report_id=record.pk, now=NOW + 5 * S)
    assert first.status == second.status == ReportStatus.SENT
    assert (second.attempts, second.sent_at) == (1, NOW)
    assert second.receipt_id == f"file-{record.record_id}"
    assert second.next_attempt_at is None
    assert len(read_reported()) == 1


def test_a_record_waiting_for_its_backoff_is_not_sent_early(
    scripted: type[ScriptedBackend],
) -> None:
    record = _queued()
    scripted.outcomes = [down()]
    report_deliver(report_id=record.pk, now=NOW)
    early = report_deliver(report_id=record.pk, now=NOW + 59 * S)
    assert (early.status, early.attempts) == (ReportStatus.PENDING, 1)
    assert len(scripted.calls) == 1
    later = report_deliver(report_id=record.pk, now=NOW + 60 * S)
    assert (later.status, later.attempts, later.last_error) == (ReportStatus.SENT, 2, "")
    assert later.receipt_id == "scripted-2"


def test_temporary_failures_back_off_then_give_up(
    scripted: type[ScriptedBackend], configure: Callable[..., None]
) -> None:
    configure(MAX_ATTEMPTS=3)
    record = _queued()
    scripted.outcomes = [down(), down(), down(), down()]

    once = report_deliver(report_id=record.pk, now=NOW)
    assert (once.status, once.attempts, once.last_error) == ("pending", 1, "CONNECTION_ERROR")
    assert once.next_attempt_at == NOW + 60 * S

    assert reports_retry_due(now=NOW + 59 * S) == 0
    assert reports_retry_due(now=NOW + 60 * S) == 1
    twice = _reload(record)
    assert (twice.status, twice.attempts) == (ReportStatus.PENDING, 2)
    assert twice.next_attempt_at == NOW + 180 * S

    assert reports_retry_due(now=NOW + 180 * S) == 1
    given_up = _reload(record)
    assert (given_up.status, given_up.attempts) == (ReportStatus.FAILED, 3)
    assert given_up.next_attempt_at is None
    assert given_up.get_status_display() == "上报失败"
    assert reports_retry_due(now=NOW + dt.timedelta(days=1)) == 0
    assert len(scripted.calls) == 3


def test_a_permanent_failure_gives_up_at_once(scripted: type[ScriptedBackend]) -> None:
    record = _queued()
    scripted.outcomes = [refused("INVALID_DATA")]
    result = report_deliver(report_id=record.pk, now=NOW)
    assert (result.status, result.attempts) == (ReportStatus.FAILED, 1)
    assert result.last_error == "INVALID_DATA: HTTP 422"
    assert result.next_attempt_at is None


def test_a_backend_fault_is_retried_and_its_message_not_kept(
    scripted: type[ScriptedBackend],
) -> None:
    record = _queued()
    scripted.outcomes = [KeyError(f"applicant {RESIDENT_ID}")]
    result = report_deliver(report_id=record.pk, now=NOW)
    assert (result.status, result.last_error) == ("pending", "BACKEND_ERROR: KeyError")


def test_a_worker_that_died_while_sending_is_taken_over_after_its_lease(
    scripted: type[ScriptedBackend],
) -> None:
    record = _queued()
    ReportRecord.objects.filter(pk=record.pk).update(
        status=ReportStatus.SENDING, attempts=1, next_attempt_at=NOW + 120 * S
    )
    assert report_deliver(report_id=record.pk, now=NOW + 10 * S).status == "sending"
    assert reports_retry_due(now=NOW + 119 * S) == 0
    assert scripted.calls == []
    assert reports_retry_due(now=NOW + 120 * S) == 1
    taken_over = _reload(record)
    assert (taken_over.status, taken_over.attempts) == (ReportStatus.SENT, 2)


def test_the_lease_outlasts_a_request(configure: Callable[..., None]) -> None:
    from yiwang.reporting.conf import reporting_settings

    configure(SENDING_LEASE_SECONDS=10, CONNECT_TIMEOUT_SECONDS=5, TIMEOUT_SECONDS=60)
    assert reporting_settings().sending_lease_seconds == 95


def test_a_misconfigured_backend_counts_no_attempt(configure: Callable[..., None]) -> None:
    record = _queued()
    configure(BACKEND="yiwang.reporting.backends.HttpReportingBackend", URL="")
    with pytest.raises(ImproperlyConfigured, match="REPORTING_URL"):
        report_deliver(report_id=record.pk, now=NOW)
    unchanged = _reload(record)
    assert (unchanged.status, unchanged.attempts) == (ReportStatus.PENDING, 0)


def test_a_missing_record_is_reported_by_the_task() -> None:
    from yiwang.reporting.tasks import deliver_report

    assert deliver_report.call(report_id=987654) == "missing"


class TestOrderWithinACase:
    def test_a_later_record_waits_for_the_earlier_one(
        self, scripted: type[ScriptedBackend], django_capture_on_commit_callbacks: Any
    ) -> None:
        application_record = _queued(Dataset.APPLICATION)
        acceptance_record = _queued(Dataset.ACCEPTANCE)
        scripted.outcomes = [down()]
        report_deliver(report_id=application_record.pk, now=NOW)  # fails, backs off
        # The acceptance's own task runs: it waits, and no attempt is counted.
        waiting = report_deliver(report_id=acceptance_record.pk, now=NOW)
        assert (waiting.status, waiting.attempts) == (ReportStatus.PENDING, 0)
        assert reports_retry_due(now=NOW + 30 * S) == 0
        # When the application goes through, the acceptance is queued at once.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report_deliver(report_id=application_record.pk, now=NOW + 60 * S)
        assert len(callbacks) == 1
        assert report_deliver(report_id=acceptance_record.pk, now=NOW + 61 * S).status == "sent"
        assert scripted.calls == [
            str(application_record.record_id),
            str(application_record.record_id),
            str(acceptance_record.record_id),
        ]

    def test_the_sweep_sends_a_case_in_order_and_other_cases_independently(
        self, scripted: type[ScriptedBackend]
    ) -> None:
        first = [_queued(d, serial=1) for d in (Dataset.APPLICATION, Dataset.ACCEPTANCE)]
        other = _queued(Dataset.APPLICATION, serial=2)
        scripted.outcomes = [down()]  # case 1's application fails once
        assert reports_retry_due(now=NOW) == 2  # case 1's application, case 2's application
        assert _reload(first[1]).attempts == 0
        assert _reload(other).status == ReportStatus.SENT
        assert reports_retry_due(now=NOW + 60 * S) == 2  # then case 1 goes through in order
        assert scripted.calls[-2:] == [str(first[0].record_id), str(first[1].record_id)]

    def test_a_record_given_up_no_longer_holds_the_case_back(
        self, scripted: type[ScriptedBackend]
    ) -> None:
        application_record = _queued(Dataset.APPLICATION)
        step_record = _queued(Dataset.STEP)
        scripted.outcomes = [refused()]
        assert reports_retry_due(now=NOW) == 2
        assert _reload(application_record).status == ReportStatus.FAILED
        assert _reload(step_record).status == ReportStatus.SENT


class TestSweepPicksOnlyDueRows:
    def test_only_open_rows_whose_time_has_come(self, scripted: type[ScriptedBackend]) -> None:
        due = _queued(serial=1)
        later = _queued(serial=2)
        ReportRecord.objects.filter(pk=later.pk).update(attempts=1, next_attempt_at=NOW + 300 * S)
        sent = _queued(serial=3)
        ReportRecord.objects.filter(pk=sent.pk).update(
            status=ReportStatus.SENT, next_attempt_at=None, sent_at=NOW
        )
        failed = _queued(serial=4)
        ReportRecord.objects.filter(pk=failed.pk).update(
            status=ReportStatus.FAILED, next_attempt_at=None
        )
        stale = _queued(serial=5)  # a "sent" row whose next_attempt_at was left behind
        ReportRecord.objects.filter(pk=stale.pk).update(status=ReportStatus.SENT)
        assert reports_retry_due(now=NOW) == 1
        assert scripted.calls == [str(due.record_id)]
        assert _reload(later).status == ReportStatus.PENDING

    def test_each_due_record_is_tried_once_per_run(
        self, scripted: type[ScriptedBackend], configure: Callable[..., None]
    ) -> None:
        configure(BACKOFF_SECONDS=0)
        records = [_queued(serial=n) for n in range(1, 4)]
        scripted.outcomes = [down()] * 10
        assert reports_retry_due(now=NOW) == 3
        assert scripted.calls == [str(r.record_id) for r in records]

    def test_the_sweep_is_the_scheduled_job(self) -> None:
        from yiwang.core.scheduler import PERIODIC_JOBS

        [job] = [job for job in PERIODIC_JOBS if job.name == "reporting_retry"]
        assert job.every == dt.timedelta(minutes=1)
        assert job.task_path == "yiwang.reporting.tasks:retry_due_reports"
        from yiwang.reporting.tasks import retry_due_reports

        _queued()
        assert retry_due_reports.call() == 1
        assert len(read_reported()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_record_once(scripted: type[ScriptedBackend]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; SQLite runs one writer at a time")
    records = [_queued(serial=n, now=NOW) for n in range(1, 13)]
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            reports_retry_due(now=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(scripted.calls) == sorted(str(r.record_id) for r in records)
    assert set(ReportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


class TestRetryFailed:
    def test_a_failed_record_gets_fresh_attempts(
        self, scripted: type[ScriptedBackend], django_capture_on_commit_callbacks: Any
    ) -> None:
        from django_tasks_db.models import DBTaskResult

        record = _queued()
        scripted.outcomes = [refused()]
        report_deliver(report_id=record.pk, now=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            retried = report_retry(record=record, actor="user:1:admin", source_ip="127.0.0.1")
        assert (retried.status, retried.attempts) == (ReportStatus.PENDING, 0)
        assert retried.last_error == "INVALID_DATA: HTTP 422"
        task = DBTaskResult.objects.get(task_path="yiwang.reporting.tasks.deliver_report")
        assert task.args_kwargs["kwargs"] == {"report_id": record.pk}
        assert report_deliver(report_id=record.pk).status == ReportStatus.SENT
        audit = AuditRecord.objects.get(action="reporting.report_retry")
        assert audit.object_id == str(record.pk)
        assert audit.detail == {
            "dataset": "application",
            "case_number": record.case_number,
            "record_id": str(record.record_id),
            "last_error": "INVALID_DATA: HTTP 422",
        }

    def test_only_failed_records_can_be_retried(self) -> None:
        record = _queued()
        with pytest.raises(YiwangError, match="只有上报失败的记录可以重新上报") as excinfo:
            report_retry(record=record, actor="user:1:admin")
        assert excinfo.value.code == "report_not_retryable"
        assert not AuditRecord.objects.filter(action="reporting.report_retry").exists()


def test_logs_carry_no_payload(
    scripted: type[ScriptedBackend], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yiwang.reporting")
    scripted.outcomes = [down(), refused()]
    record = _queued()
    report_deliver(report_id=record.pk, now=NOW)
    report_deliver(report_id=record.pk, now=NOW + 60 * S)
    other = report_enqueue(
        dataset=Dataset.STEP, source_key="case:2:step:1", case_number=case_number(2),
        payload=step(case_number=case_number(2), opinion=f"电话{PHONE}"), now=NOW,
    )  # fmt: skip
    report_deliver(report_id=other.pk, now=NOW)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "queued" in logged and "retry at" in logged and "sent" in logged
    assert "given up" in logged
    for secret in (
        RESIDENT_ID,
        PHONE,
        application()["applicant_name"],
        acceptance()["handler_name"],
    ):
        assert secret not in logged
