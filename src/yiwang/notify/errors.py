"""Error codes of the notify domain, and the error a delivery backend raises."""

from __future__ import annotations

from enum import StrEnum


class NotifyErrorCode(StrEnum):
    INVALID_PHONE = "sms_invalid_phone"
    INVALID_CATEGORY = "sms_invalid_category"
    RATE_LIMITED = "sms_rate_limited"
    TEMPLATE_INVALID = "sms_template_invalid"
    NOT_RESENDABLE = "sms_not_resendable"


class SmsDeliveryError(Exception):
    """A backend could not deliver a message.

    `temporary` errors (rate limited, gateway down, 5xx, timeout) are retried with backoff;
    permanent ones (invalid number, bad signature, other refusals) give the message up.
    `code` is a short machine code such as "RATE_LIMITED"; neither it nor `detail` may carry
    the phone number or the text.
    """

    def __init__(self, code: str, *, temporary: bool, detail: str = "") -> None:
        self.code = code
        self.temporary = temporary
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)
