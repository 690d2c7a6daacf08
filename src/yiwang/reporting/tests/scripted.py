"""A backend whose outcomes a test scripts: a way to make delivery fail on purpose."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from yiwang.reporting.backends import ReportingBackend
from yiwang.reporting.errors import ReportDeliveryError


class ScriptedBackend(ReportingBackend):
    """Each send takes the next outcome: an exception to raise, or "ok" (the default).
    `calls` lists the record ids sent, in order."""

    outcomes: ClassVar[list[Exception | str]] = []
    calls: ClassVar[list[str]] = []

    def send(
        self, *, record_id: str, dataset: str, case_number: str, data: Mapping[str, Any]
    ) -> str:
        ScriptedBackend.calls.append(record_id)
        outcome = ScriptedBackend.outcomes.pop(0) if ScriptedBackend.outcomes else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return f"scripted-{len(ScriptedBackend.calls)}"


def down() -> ReportDeliveryError:
    return ReportDeliveryError("CONNECTION_ERROR", temporary=True)


def refused(code: str = "INVALID_DATA") -> ReportDeliveryError:
    return ReportDeliveryError(code, temporary=False, detail="HTTP 422")
