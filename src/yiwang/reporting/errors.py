"""Error codes of the reporting domain, and the error a delivery backend raises."""

from __future__ import annotations

from enum import StrEnum

from yiwang.core.errors import YiwangError


class ReportingErrorCode(StrEnum):
    NOT_RETRYABLE = "report_not_retryable"


class ReportingError(YiwangError):
    """A refused change to the reporting outbox (an admin action, for now)."""


class ReportDeliveryError(Exception):
    """A backend could not deliver a record.

    `temporary` errors (platform down, 5xx, timeout, a record the platform is not ready for)
    are retried with backoff; permanent ones (bad signature, data refused) give the record up.
    `code` is a short machine code such as "UNAVAILABLE"; neither it nor `detail` may carry
    personal data (a detail names fields, never values).
    """

    def __init__(self, code: str, *, temporary: bool, detail: str = "") -> None:
        self.code = code
        self.temporary = temporary
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)
