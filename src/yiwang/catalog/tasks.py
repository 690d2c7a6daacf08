"""Catalog background tasks. Each is idempotent: running it twice has the effect of running it
once."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def catalog_sync_task() -> int:
    """The periodic provincial catalog sync; returns how many batches it applied.

    Does nothing when `CATALOG_SYNC_URL` is not set. A failed batch or an unreachable province
    is logged as an error; the next run tries again.
    """
    from yiwang.catalog.models import SyncBatch
    from yiwang.catalog.sync import CatalogSyncError, catalog_sync, sync_settings

    if not sync_settings().url:
        logger.debug("catalog sync: CATALOG_SYNC_URL is not set, nothing to do")
        return 0
    try:
        batches = catalog_sync()
    except CatalogSyncError as exc:
        logger.error("catalog sync stopped (%s): %s", exc.code, exc.message)
        batches = exc.batches
    applied = [b for b in batches if b.state == SyncBatch.State.APPLIED]
    if applied:
        logger.info("catalog sync: %s batch(es) applied, last %s", len(applied), applied[-1])
    return len(applied)
