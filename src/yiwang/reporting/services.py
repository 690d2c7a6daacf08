"""Every write of the reporting domain: queue a record, deliver it, retry it, sweep the due ones.

A record is an outbox row written in the caller's transaction; delivery runs after commit in a
task, so a rolled-back change reports nothing and a committed one is delivered even if the
provincial platform is down when it commits (the retry sweep sends it later). The records of
one case go out in the order they were written. Logs carry the data set, the case number and
error codes, never the payload.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.reporting.backends import ReportingBackend, get_reporting_backend
from yiwang.reporting.codes import Dataset
from yiwang.reporting.conf import ReportingSettings, reporting_settings
from yiwang.reporting.errors import ReportDeliveryError, ReportingError, ReportingErrorCode
from yiwang.reporting.models import (
    OPEN_STATUSES,
    SOURCE_KEY_MAX_LENGTH,
    ReportRecord,
    ReportStatus,
)
from yiwang.reporting.rules import dataset_problems, retry_delay
from yiwang.reporting.tasks import deliver_report

logger = logging.getLogger(__name__)

_SWEEP_CHUNK = 100


def report_enqueue(
    *,
    dataset: Dataset,
    source_key: str,
    case_number: str,
    payload: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> ReportRecord:
    """Queue one record of `dataset` for the provincial platform, in the caller's transaction,
    and deliver it after commit.

    `source_key` names what the record is about in the caller's terms ("case:12:step:3"); a
    second call with the same data set and key returns the existing row and writes nothing.
    A payload that breaks the rules of its data set (`rules.dataset_problems`), or whose
    `case_number` differs from the argument, is a bug in the caller: `ValueError`.
    """
    dataset = Dataset(dataset)
    if not isinstance(source_key, str) or not 0 < len(source_key) <= SOURCE_KEY_MAX_LENGTH:
        raise ValueError(f"source_key must be 1 to {SOURCE_KEY_MAX_LENGTH} characters")
    problems = dataset_problems(dataset, payload)
    if not problems and payload.get("case_number") != case_number:
        problems.append("case_number：与参数 case_number 不一致")
    if problems:
        raise ValueError(f"{dataset} report payload is invalid: " + "；".join(problems))
    now = now or timezone.now()
    # Two statements, no savepoint (this runs inside every case transition): the insert does
    # nothing when the data set and key are there already (a concurrent twin's insert is waited
    # for), and the row read back is ours only if it carries the id given here.
    record = ReportRecord(
        dataset=dataset,
        source_key=source_key,
        case_number=case_number,
        payload=json.loads(json.dumps(payload, ensure_ascii=False)),
        status=ReportStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    ReportRecord.objects.bulk_create([record], ignore_conflicts=True)
    stored = ReportRecord.objects.get(dataset=dataset, source_key=source_key)
    if stored.record_id != record.record_id:
        return stored
    record = stored
    _deliver_after_commit(record.pk)
    logger.info("report %s queued: %s of case %s", record.pk, dataset, case_number)
    return record


def report_deliver(*, report_id: int, now: dt.datetime | None = None) -> ReportRecord:
    """Send one record if it is due and not already sent (idempotent: twice reports once).

    The row is claimed in a short locked transaction (status "sending", one attempt counted, a
    lease in `next_attempt_at`), the backend is called outside it, and the outcome is recorded:
    sent; a temporary failure retried after an exponential backoff; given up ("failed") on a
    permanent failure or after `MAX_ATTEMPTS`. A record another worker holds, or one whose case
    still has an earlier record to send, is left alone.
    """
    record, _attempted = _report_deliver(report_id=report_id, now=now)
    return record


def report_retry(*, record: ReportRecord, actor: str, source_ip: str | None = None) -> ReportRecord:
    """Give a failed record a fresh set of attempts and deliver it again (admin action)."""
    with transaction.atomic():
        locked = ReportRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != ReportStatus.FAILED:
            raise ReportingError(
                "只有上报失败的记录可以重新上报。", code=ReportingErrorCode.NOT_RETRYABLE
            )
        locked.status = ReportStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="reporting.report_retry",
            object_type="reporting.reportrecord",
            object_id=locked.pk,
            source_ip=source_ip,
            detail={
                "dataset": locked.dataset,
                "case_number": locked.case_number,
                "record_id": str(locked.record_id),
                "last_error": locked.last_error,
            },
        )
        _deliver_after_commit(locked.pk)
    return locked


def reports_retry_due(*, now: dt.datetime | None = None, budget_seconds: float = 50.0) -> int:
    """Deliver every record whose next attempt is due (after a backoff, an outage, a lost task
    or a worker that died while sending); return how many were attempted.

    Rows are taken oldest first, so a case's records keep their order. Each record is tried at
    most once per sweep; the sweep stops after `budget_seconds` and the next one carries on.
    Several sweeps may run at once: each record is claimed by one of them (`SKIP LOCKED`).
    """
    deadline = time.monotonic() + budget_seconds
    attempted, cursor = 0, 0
    while time.monotonic() < deadline:
        due = now or timezone.now()
        ids = list(
            ReportRecord.objects.filter(
                next_attempt_at__lte=due, status__in=OPEN_STATUSES, pk__gt=cursor
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:_SWEEP_CHUNK]
        )
        if not ids:
            break
        for report_id in ids:
            cursor = report_id
            try:
                _record, tried = _report_deliver(report_id=report_id, now=now)
            except ReportRecord.DoesNotExist:
                continue
            attempted += tried
            if time.monotonic() >= deadline:
                break
    if attempted:
        logger.info("report retry sweep attempted %s records", attempted)
    return attempted


# --- Internals -----------------------------------------------------------------------------------


def _deliver_after_commit(report_id: int) -> None:
    # robust: the caller's change is committed whatever happens here; a task that could not be
    # queued is picked up by the retry sweep, since the row is due.
    transaction.on_commit(lambda: deliver_report.enqueue(report_id=report_id), robust=True)


def _report_deliver(*, report_id: int, now: dt.datetime | None) -> tuple[ReportRecord, bool]:
    """The record after a delivery, and whether the backend was tried."""
    conf = reporting_settings()
    backend = get_reporting_backend()  # a misconfiguration raises here, before an attempt
    claimed = _report_claim(report_id=report_id, now=now or timezone.now(), conf=conf)
    if claimed is None:
        return ReportRecord.objects.get(pk=report_id), False
    return _report_attempt(record=claimed, backend=backend, now=now, conf=conf), True


def _earlier_open(record: ReportRecord) -> bool:
    """Whether an earlier record of the same case still has to go out (it goes first)."""
    return ReportRecord.objects.filter(
        case_number=record.case_number, pk__lt=record.pk, status__in=OPEN_STATUSES
    ).exists()


def _report_claim(
    *, report_id: int, now: dt.datetime, conf: ReportingSettings
) -> ReportRecord | None:
    """Lock the row and mark it "sending" with a lease, or None if it is not ours to send."""
    with transaction.atomic():
        rows = ReportRecord.objects.filter(pk=report_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        else:
            rows = rows.select_for_update()
        record = rows.first()
        if record is None or record.status not in OPEN_STATUSES:
            return None  # missing, locked by another worker, sent or given up
        # A record never tried is due at once (whatever the clocks of web and worker say);
        # after an attempt, it waits for its backoff or for another worker's lease to run out.
        waiting = record.next_attempt_at is not None and record.next_attempt_at > now
        if record.attempts > 0 and waiting:
            return None
        if _earlier_open(record):
            return None  # delivered after the earlier one, which queues it when done
        record.status = ReportStatus.SENDING
        record.attempts += 1
        record.next_attempt_at = now + dt.timedelta(seconds=conf.sending_lease_seconds)
        record.save(update_fields=["status", "attempts", "next_attempt_at"])
    return record


def _report_attempt(
    *,
    record: ReportRecord,
    backend: ReportingBackend,
    now: dt.datetime | None,
    conf: ReportingSettings,
) -> ReportRecord:
    error: ReportDeliveryError | None = None
    receipt_id = ""
    try:
        receipt_id = backend.send(
            record_id=str(record.record_id),
            dataset=record.dataset,
            case_number=record.case_number,
            data=record.payload,
        )
    except ReportDeliveryError as exc:
        error = exc
    except Exception as exc:
        # A fault in the backend itself: retried like a temporary failure. Only the exception's
        # type is logged and kept, since its message could quote the payload.
        error = ReportDeliveryError("BACKEND_ERROR", temporary=True, detail=type(exc).__name__)
    return _report_record_outcome(
        report_id=record.pk, receipt_id=receipt_id, error=error, now=now, conf=conf
    )


def _report_record_outcome(
    *,
    report_id: int,
    receipt_id: str,
    error: ReportDeliveryError | None,
    now: dt.datetime | None,
    conf: ReportingSettings,
) -> ReportRecord:
    now = now or timezone.now()
    with transaction.atomic():
        record = ReportRecord.objects.select_for_update().get(pk=report_id)
        if record.status == ReportStatus.SENT:
            return record  # a worker that took over after our lease ran out finished first
        if error is None:
            record.status = ReportStatus.SENT
            record.sent_at = now
            record.receipt_id = receipt_id[:64]
            record.next_attempt_at = None
            record.last_error = ""
            logger.info(
                "report %s (%s of case %s) sent (attempt %s)",
                report_id, record.dataset, record.case_number, record.attempts,
            )  # fmt: skip
        else:
            record.last_error = str(error)[:200]
            if error.temporary and record.attempts < conf.max_attempts:
                record.status = ReportStatus.PENDING
                record.next_attempt_at = now + retry_delay(
                    attempts=record.attempts,
                    base_seconds=conf.backoff_seconds,
                    max_seconds=conf.backoff_max_seconds,
                )
                logger.warning(
                    "report %s (%s of case %s) failed (attempt %s, %s); retry at %s",
                    report_id, record.dataset, record.case_number, record.attempts, error.code,
                    record.next_attempt_at.isoformat(),
                )  # fmt: skip
            else:
                record.status = ReportStatus.FAILED
                record.next_attempt_at = None
                logger.error(
                    "report %s (%s of case %s) given up after %s attempts: %s",
                    report_id, record.dataset, record.case_number, record.attempts, error.code,
                )  # fmt: skip
        record.save(
            update_fields=["status", "sent_at", "receipt_id", "next_attempt_at", "last_error"]
        )
        if record.status in (ReportStatus.SENT, ReportStatus.FAILED):
            _deliver_next_of_case(record)
    return record


def _deliver_next_of_case(record: ReportRecord) -> None:
    """The case's next record was waiting for this one: queue it now rather than at the sweep."""
    following = (
        ReportRecord.objects.filter(
            case_number=record.case_number, pk__gt=record.pk, status__in=OPEN_STATUSES
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        _deliver_after_commit(following)
