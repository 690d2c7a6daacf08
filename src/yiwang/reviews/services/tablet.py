"""On-site ratings on the hall's evaluator tablet, one per window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from yiwang.accounts.models import Staff
from yiwang.core.audit import audit_record
from yiwang.regions.models import Window
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import Attendance, Channel, Occasion, Review
from yiwang.reviews.services._common import _now
from yiwang.reviews.services.ratings import Rating, _check, _record

# --- On-site ratings (the hall evaluator tablet) ----------------------------------------------


def tablet_token(window: Window) -> str:
    """The key a window's tablet carries in its address (given by the hall administrator)."""
    return salted_hmac("yiwang.reviews.tablet", str(window.pk), algorithm="sha256").hexdigest()[:20]


def tablet_addresses_shown(*, staff: Staff, windows: int, source_ip: str | None = None) -> None:
    """Record who was shown the tablets' addresses (each carries its window's key)."""
    audit_record(
        actor=staff.user.username, action="review.tablet_addresses_shown",
        object_type="region", object_id=staff.region_prefix, source_ip=source_ip,
        detail={"windows": windows},
    )  # fmt: skip


def tablet_check(window: Window, token: str) -> None:
    if not constant_time_compare(tablet_token(window), token or ""):
        raise ReviewError(ReviewErrorCode.TABLET_INVALID)


@dataclass(frozen=True)
class Serving:
    """Who serves at a window now, and the occasion a tap rates."""

    officer: Staff
    occasion_key: str
    ticket_code: str = ""


def serving_now(window: Window, *, now: dt.datetime | None = None) -> Serving | None:
    """The officer of the number being served at the window (from the hall queue), else the
    officer signed in at the window today."""
    from yiwang.bookings.models import QueueTicket

    now = _now(now)
    today = timezone.localtime(now).date()
    ticket = (
        QueueTicket.objects.filter(
            window=window, date=today, state="called", called_by__isnull=False
        )
        .select_related("called_by")
        .order_by("-called_at")
        .first()
    )
    if ticket is not None and ticket.called_by is not None:
        return Serving(ticket.called_by, f"ticket:{ticket.pk}", ticket.code)
    attendance = (
        Attendance.objects.filter(window=window, day=today, signed_out_at__isnull=True)
        .exclude(signed_in_at__isnull=True)
        .select_related("staff")
        .order_by("-signed_in_at")
        .first()
    )
    if attendance is None:
        return None
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S%f")
    return Serving(attendance.staff, f"window:{window.pk}:{attendance.staff_id}:{stamp}")


def review_on_site(
    *,
    window: Window,
    token: str,
    rating: Rating,
    channel: str = Channel.HALL_TABLET,
    now: dt.datetime | None = None,
) -> Review:
    """一次一评: one tap on the window's tablet rates the officer serving now."""
    now = _now(now)
    tablet_check(window, token)
    _check(Occasion.ON_SITE, rating)
    serving = serving_now(window, now=now)
    if serving is None:
        raise ReviewError(ReviewErrorCode.NOBODY_SERVING)
    officer = serving.officer
    with transaction.atomic():
        return _record(
            occasion=Occasion.ON_SITE, key=serving.occasion_key, rating=rating,
            channel=channel if channel in (Channel.HALL_TABLET, Channel.HALL_TERMINAL)
            else Channel.HALL_TABLET,
            department_id=officer.department_id, region_prefix=officer.region_prefix,
            now=now, officer=officer, window=window,
        )  # fmt: skip
