"""Periodic jobs are enqueued when due, once, and again after their interval."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.models import ScheduledJob
from yiwang.core.scheduler import PERIODIC_JOBS, PeriodicJob, scheduler_tick

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
JOB = PeriodicJob("sweep", dt.timedelta(hours=1), "yiwang.core.tasks:audit_chain_check")


def test_due_job_runs_once_then_waits_for_its_interval() -> None:
    ran: list[str] = []
    tick = {"jobs": (JOB,), "on_enqueue": lambda job: ran.append(job.name)}
    assert scheduler_tick(now=NOW, **tick) == ["sweep"]
    assert scheduler_tick(now=NOW + dt.timedelta(minutes=59), **tick) == []
    assert scheduler_tick(now=NOW + dt.timedelta(hours=1), **tick) == ["sweep"]
    assert ran == ["sweep", "sweep"]
    row = ScheduledJob.objects.get(name="sweep")
    assert row.next_run_at == NOW + dt.timedelta(hours=2)


def test_default_jobs_enqueue_real_tasks() -> None:
    from django_tasks_db.models import DBTaskResult

    names = scheduler_tick(now=NOW)
    assert names == [job.name for job in PERIODIC_JOBS]
    assert DBTaskResult.objects.filter(task_path="yiwang.core.tasks.audit_chain_check").count() == 1
