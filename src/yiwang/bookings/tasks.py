"""Bookings background tasks. Idempotent: running one twice has the effect of running it once."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def bookings_sweep() -> dict[str, int]:
    """The periodic sweep (every 15 minutes): remind the bookings that start within 24 hours,
    and mark the bookings whose slot ended without a check-in as missed."""
    from yiwang.bookings.services import bookings_mark_missed, bookings_remind_due

    reminded = bookings_remind_due()
    missed = bookings_mark_missed()
    if reminded or missed:
        logger.info("bookings sweep: %s reminded, %s marked missed", reminded, missed)
    return {"reminded": reminded, "missed": missed}
