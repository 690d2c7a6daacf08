"""Notify tasks. Both are idempotent: delivering a message twice sends it once."""

from __future__ import annotations

import logging

from yiwang.core.tasks_api import task

logger = logging.getLogger(__name__)


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message (queued after the commit that wrote it); return its status."""
    from yiwang.notify.models import OutboxMessage
    from yiwang.notify.services import message_deliver

    try:
        return message_deliver(message_id=message_id).status
    except OutboxMessage.DoesNotExist:
        logger.warning("sms %s no longer exists; nothing to deliver", message_id)
        return "missing"


@task()
def retry_due_messages() -> int:
    """The periodic sweep: deliver the messages whose next attempt is due."""
    from yiwang.notify.services import messages_retry_due

    return messages_retry_due()
