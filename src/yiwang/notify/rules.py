"""Pure rules of delivery: phone numbers and the backoff between attempts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")


def is_mobile_number(value: str) -> bool:
    """A mainland mobile number: 11 digits starting with 13 to 19."""
    return MOBILE_RE.fullmatch(value) is not None


def retry_delay(*, attempts: int, base_seconds: int, max_seconds: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … up to the cap."""
    exponent = max(0, attempts - 1)
    seconds = min(base_seconds * (2 ** min(exponent, 30)), max_seconds)
    return dt.timedelta(seconds=max(0, seconds))
