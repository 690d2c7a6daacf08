"""A backend whose outcomes a test scripts: a way to make delivery fail on purpose."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from yiwang.notify.backends import SmsBackend
from yiwang.notify.errors import SmsDeliveryError


class ScriptedBackend(SmsBackend):
    """Each send takes the next outcome: an exception to raise, or "ok" (the default)."""

    outcomes: ClassVar[list[Exception | str]] = []
    calls: ClassVar[list[int]] = []

    def send(
        self,
        *,
        phone: str,
        text: str,
        message_id: int,
        template: str = "",
        params: Mapping[str, str] | None = None,
        client_msg_id: str = "",
    ) -> str:
        ScriptedBackend.calls.append(message_id)
        outcome = ScriptedBackend.outcomes.pop(0) if ScriptedBackend.outcomes else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return f"scripted-{message_id}-{len(ScriptedBackend.calls)}"


def down() -> SmsDeliveryError:
    return SmsDeliveryError("CONNECTION_ERROR", temporary=True)


def refused(code: str = "INVALID_PHONE") -> SmsDeliveryError:
    return SmsDeliveryError(code, temporary=False)
