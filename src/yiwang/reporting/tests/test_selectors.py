"""Counts of the outbox by status and by data set."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.reporting.codes import Dataset
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.selectors import report_counts_by_dataset, report_counts_by_status
from yiwang.reporting.services import report_enqueue
from yiwang.reporting.tests.factories import PAYLOADS, case_number

pytestmark = pytest.mark.django_db


def _record(dataset: Dataset, status: str, serial: int) -> None:
    number = case_number(serial)
    record = report_enqueue(
        dataset=dataset, source_key=f"case:{serial}:{dataset}", case_number=number,
        payload=PAYLOADS[dataset](case_number=number),
    )  # fmt: skip
    ReportRecord.objects.filter(pk=record.pk).update(status=status)


def test_empty_outbox_counts_zero_everywhere() -> None:
    assert report_counts_by_status() == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    assert report_counts_by_dataset()["step"] == {
        "pending": 0, "sending": 0, "sent": 0, "failed": 0,
    }  # fmt: skip


def test_counts_by_status_and_dataset(django_assert_num_queries: Any) -> None:
    _record(Dataset.APPLICATION, ReportStatus.SENT, 1)
    _record(Dataset.APPLICATION, ReportStatus.FAILED, 2)
    _record(Dataset.ACCEPTANCE, ReportStatus.SENT, 1)
    _record(Dataset.STEP, ReportStatus.PENDING, 1)
    with django_assert_num_queries(1):
        counts = report_counts_by_status()
    assert counts == {"pending": 1, "sending": 0, "sent": 2, "failed": 1}
    assert report_counts_by_status(dataset=Dataset.APPLICATION) == {
        "pending": 0, "sending": 0, "sent": 1, "failed": 1,
    }  # fmt: skip
    with django_assert_num_queries(1):
        by_dataset = report_counts_by_dataset()
    assert by_dataset["acceptance"]["sent"] == 1
    assert by_dataset["step"]["pending"] == 1
    assert by_dataset["completion"] == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
