"""Core background tasks. Each is idempotent: running it twice has the effect of running it once."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def recompute_provisional_deadlines(year: int) -> int:
    """Recompute the deadlines that reach into `year`, after its schedule changed."""
    from yiwang.core.workdays import deadline_recomputers

    changed = 0
    for name, recompute in deadline_recomputers():
        count = recompute(year)
        logger.info("recomputed %s deadlines for %s: %s changed", name, year, count)
        changed += count
    return changed


@task()
def audit_chain_check() -> bool:
    """Verify the audit chain; a broken chain is logged as an error for the operators."""
    from yiwang.core.audit import audit_verify

    report = audit_verify()
    if not report.ok:
        logger.error("audit chain broken at record %s: %s", report.first_bad_seq, report.problem)
    return report.ok
