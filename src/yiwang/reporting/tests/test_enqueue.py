"""`report_enqueue`: validated, idempotent, written in the caller's transaction, and sent only
after commit."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yiwang.reporting.backends import read_reported
from yiwang.reporting.codes import Dataset
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.services import report_enqueue
from yiwang.reporting.tests.factories import CASE_NUMBER, acceptance, application, case_number

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
DELIVER_TASK = "yiwang.reporting.tasks.deliver_report"


def _enqueue(source_key: str = "case:1:application", **overrides: Any) -> ReportRecord:
    return report_enqueue(
        dataset=Dataset.APPLICATION,
        source_key=source_key,
        case_number=overrides.get("case_number", CASE_NUMBER),
        payload=application(**overrides),
        now=NOW,
    )


def _queued_tasks() -> list[dict[str, Any]]:
    from django_tasks_db.models import DBTaskResult

    return [
        task.args_kwargs["kwargs"]
        for task in DBTaskResult.objects.filter(task_path=DELIVER_TASK).order_by("enqueued_at")
    ]


@pytest.mark.django_db
def test_a_valid_record_is_written_pending_and_due() -> None:
    record = _enqueue()
    assert (record.dataset, record.source_key, record.case_number) == (
        "application", "case:1:application", CASE_NUMBER,
    )  # fmt: skip
    assert record.payload == application()
    assert (record.status, record.attempts, record.next_attempt_at) == (
        ReportStatus.PENDING,
        0,
        NOW,
    )
    assert record.created_at == NOW and record.sent_at is None
    assert record.record_id is not None


@pytest.mark.django_db
def test_the_same_key_twice_keeps_one_row_and_queues_one_delivery(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _enqueue()
    with (
        django_capture_on_commit_callbacks(execute=True) as again_callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        again = _enqueue(phone="13800001111")
    # One insert that does nothing on the conflict, one read back; no savepoint, no update.
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert sorted(statements) == ["INSERT", "SELECT"]
    assert again.pk == first.pk and again.payload["phone"] == first.payload["phone"]
    assert ReportRecord.objects.count() == 1
    assert (len(callbacks), len(again_callbacks)) == (1, 0)
    assert _queued_tasks() == [{"report_id": first.pk}]


@pytest.mark.django_db
def test_the_same_key_in_another_dataset_is_another_record() -> None:
    _enqueue(source_key="case:1")
    report_enqueue(
        dataset=Dataset.ACCEPTANCE, source_key="case:1", case_number=CASE_NUMBER,
        payload=acceptance(), now=NOW,
    )  # fmt: skip
    assert sorted(ReportRecord.objects.values_list("dataset", flat=True)) == [
        "acceptance", "application",
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"payload": application(phone="110")}, "phone"),
        ({"payload": application(case_number=case_number(2))}, "case_number"),
        ({"dataset": "license"}, "license"),
        ({"source_key": ""}, "source_key"),
        ({"source_key": "k" * 129}, "source_key"),
    ],
)
def test_a_bad_call_is_a_programming_error_and_writes_nothing(
    kwargs: dict[str, Any], message: str, django_capture_on_commit_callbacks: Any
) -> None:
    arguments: dict[str, Any] = {
        "dataset": Dataset.APPLICATION, "source_key": "case:1:application",
        "case_number": CASE_NUMBER, "payload": application(), **kwargs,
    }  # fmt: skip
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError, match=message),
    ):
        report_enqueue(**arguments)
    assert not ReportRecord.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_the_error_of_a_bad_payload_carries_no_personal_data() -> None:
    bad_id = application()["applicant_id_number"][:-1] + "0"
    with pytest.raises(ValueError) as excinfo:
        _enqueue(applicant_id_number=bad_id)
    assert "applicant_id_number" in str(excinfo.value)
    assert bad_id not in str(excinfo.value)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_before_commit_and_nothing_after_a_rollback() -> None:
    with transaction.atomic():
        record = _enqueue()
        assert _queued_tasks() == []
        assert read_reported() == []
    # Committed: the delivery task is queued (and the database task backend holds it).
    assert _queued_tasks() == [{"report_id": record.pk}]
    assert read_reported() == []  # the worker has not run it yet

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        _enqueue(source_key="case:2:application", case_number=case_number(2))
        raise Rollback
    assert ReportRecord.objects.count() == 1
    assert _queued_tasks() == [{"report_id": record.pk}]


@pytest.mark.django_db(transaction=True)
def test_the_queued_task_delivers_through_the_file_backend() -> None:
    from yiwang.reporting.tasks import deliver_report

    record = _enqueue()
    [kwargs] = _queued_tasks()
    assert deliver_report.call(**kwargs) == "sent"
    [line] = read_reported()
    assert line["record_id"] == str(record.record_id)
    assert line["data"] == application()
    assert deliver_report.call(**kwargs) == "sent"  # a second run reports nothing more
    assert len(read_reported()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueues_of_one_key_keep_one_row() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writing transactions; the race needs PostgreSQL")
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results.append(_enqueue().pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert ReportRecord.objects.count() == 1
    assert set(results) == {ReportRecord.objects.get().pk}
    assert len(_queued_tasks()) == 1
