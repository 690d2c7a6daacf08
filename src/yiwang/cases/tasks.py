"""Case background tasks (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.core.tasks_api import task

# 办件量 counts the cases of a rolling year.
COUNT_PERIOD = dt.timedelta(days=365)


@task()
def item_counts_refresh() -> int:
    """Count each matter's cases of the last year into its 办件量 (hot matters, list order);
    returns how many matters changed."""
    from yiwang.cases.selectors import case_counts_by_item
    from yiwang.catalog.services import item_application_counts_set

    counts = case_counts_by_item(since=timezone.now() - COUNT_PERIOD)
    return item_application_counts_set(counts=counts)
