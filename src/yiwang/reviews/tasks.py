"""Review background tasks (idempotent): invitations to rate, default ratings."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def review_invitations() -> int:
    """Invite the applicants of newly finished cases to rate them (SMS with the short link)."""
    from yiwang.reviews.services import invitations_send

    sent = invitations_send()
    if sent:
        logger.info("review invitations sent: %s", sent)
    return sent


@task()
def review_defaults() -> int:
    """Give the default rating to finished cases left unrated past the window."""
    from yiwang.reviews.services import reviews_default

    made = reviews_default()
    if made:
        logger.info("default ratings recorded: %s", made)
    return made
