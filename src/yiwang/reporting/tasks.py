"""Reporting tasks. Both are idempotent: delivering a record twice reports it once."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def deliver_report(report_id: int) -> str:
    """Deliver one outbox record (queued after the commit that wrote it); return its status."""
    from yiwang.reporting.models import ReportRecord
    from yiwang.reporting.services import report_deliver

    try:
        return report_deliver(report_id=report_id).status
    except ReportRecord.DoesNotExist:
        logger.warning("report %s no longer exists; nothing to deliver", report_id)
        return "missing"


@task()
def retry_due_reports() -> int:
    """The periodic sweep: deliver the records whose next attempt is due."""
    from yiwang.reporting.services import reports_retry_due

    return reports_retry_due()
