"""Sign-in events (login, logout, failure, lockout) written to the audit chain."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import User
from yiwang.accounts.services._common import _actor
from yiwang.core.audit import audit_record


def audit_auth_event(
    *, action: str, user: User | None, source_ip: str | None, detail: dict[str, Any] | None = None
) -> None:
    """Login, logout, failure and lockout events (no identifiers in clear)."""
    audit_record(
        actor=_actor(user),
        action=action,
        object_type="user" if user is not None else "",
        object_id=user.pk if user is not None else "",
        source_ip=source_ip,
        detail=detail or {},
    )
