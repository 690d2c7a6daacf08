"""What the review services share: the clock, the month of a moment, and a required note."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from yiwang.reviews.errors import ReviewError, ReviewErrorCode

# The package's name, as when the services were one module (the name shows in the logs).
logger = logging.getLogger(__package__)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _note(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReviewError(
            ReviewErrorCode.NOTE_REQUIRED,
            message=f"请填写{what}",
            fields={"note": [f"请填写{what}"]},
        )
    return text[:2000]
