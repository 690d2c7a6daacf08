"""Periodic jobs: each has an interval; `scheduler_tick` enqueues the ones that are due.

Every worker runs the scheduler; a job's row is locked (`SKIP LOCKED` where the database has it),
so each run is enqueued by exactly one of them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.core.models import ScheduledJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task_path: str  # "module:attribute" of a task taking no arguments

    def enqueue(self) -> Any:
        module_name, _, attribute = self.task_path.partition(":")
        module = __import__(module_name, fromlist=[attribute])
        return getattr(module, attribute).enqueue()


# Domains add their sweeps here as they arrive (deadline warnings, default ratings, …).
PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("audit_chain_check", dt.timedelta(hours=24), "yiwang.core.tasks:audit_chain_check"),
    PeriodicJob("sms_retry", dt.timedelta(minutes=1), "yiwang.notify.tasks:retry_due_messages"),
    PeriodicJob("catalog_sync", dt.timedelta(hours=1), "yiwang.catalog.tasks:catalog_sync_task"),
    PeriodicJob(
        "reporting_retry", dt.timedelta(minutes=1), "yiwang.reporting.tasks:retry_due_reports"
    ),
    PeriodicJob("bookings_sweep", dt.timedelta(minutes=15), "yiwang.bookings.tasks:bookings_sweep"),
    PeriodicJob(
        "review_invitations", dt.timedelta(minutes=5), "yiwang.reviews.tasks:review_invitations"
    ),
    PeriodicJob("review_defaults", dt.timedelta(hours=1), "yiwang.reviews.tasks:review_defaults"),
    PeriodicJob("item_counts", dt.timedelta(hours=6), "yiwang.cases.tasks:item_counts_refresh"),
)


def scheduler_tick(
    *,
    now: dt.datetime | None = None,
    jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS,
    on_enqueue: Callable[[PeriodicJob], Any] | None = None,
) -> list[str]:
    """Enqueue every due job once; return the names enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in jobs:
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
            rows = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            row = rows.first()
            if row is None:
                continue
            (on_enqueue or PeriodicJob.enqueue)(job)
            row.last_run_at, row.next_run_at = now, now + job.every
            row.save(update_fields=["last_run_at", "next_run_at"])
            enqueued.append(job.name)
            logger.info("scheduled job %s enqueued", job.name)
    return enqueued
