"""Reads of the reporting outbox. Counts carry no personal data; they feed the operators'
dashboards and alerts (a growing `pending`, any `failed`)."""

from __future__ import annotations

from django.db.models import Count

from yiwang.reporting.codes import Dataset
from yiwang.reporting.models import ReportRecord, ReportStatus


def report_counts_by_status(*, dataset: Dataset | None = None) -> dict[str, int]:
    """How many records are in each status (every status present, zero if none), for one data
    set or all of them. One query."""
    rows = ReportRecord.objects.all()
    if dataset is not None:
        rows = rows.filter(dataset=dataset)
    counts = {status: 0 for status in ReportStatus.values}
    for row in rows.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


def report_counts_by_dataset() -> dict[str, dict[str, int]]:
    """`{dataset: {status: count}}` for every data set and status (zeros included). One query."""
    counts = {dataset: dict.fromkeys(ReportStatus.values, 0) for dataset in Dataset.values}
    rows = ReportRecord.objects.order_by().values("dataset", "status").annotate(count=Count("pk"))
    for row in rows:
        counts.setdefault(row["dataset"], dict.fromkeys(ReportStatus.values, 0))
        counts[row["dataset"]][row["status"]] = row["count"]
    return counts
