"""Pure rules of bookings and the hall queue: who serves what, when one may check in, codes."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.utils import timezone

from yiwang.regions.models import Window

# Ticket prefixes follow the demo halls' window numbering (A 综合受理, B 专业, C 出件, D 咨询);
# a booked person's ticket is a "Y" number (预约), called before the others.
TICKET_PREFIXES: dict[str, str] = {
    Window.Kind.GENERAL: "A",
    Window.Kind.SPECIALIST: "B",
    Window.Kind.DELIVERY: "C",
    Window.Kind.CONSULTATION: "D",
}
BOOKED_PREFIX = "Y"

CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
REMINDER_AHEAD = dt.timedelta(hours=24)
MAX_LIVE_BOOKINGS = 3  # upcoming bookings one person may hold at once
BOOKING_HORIZON_DAYS = 14  # how far ahead the booking page and API look

# No 0/O, 1/I: a booking code is read aloud and typed at a kiosk.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_NOT_CODE = re.compile(r"[\s\-]")

# What an SMS parameter may not carry (see notify.templates), and how long a name may get.
_NOT_IN_SMS = re.compile(r"[【】\[\]\r\n\x00-\x1f]")


def ticket_prefix(*, window_kind: str, priority: bool) -> str:
    return BOOKED_PREFIX if priority else TICKET_PREFIXES[window_kind]


def ticket_code(prefix: str, number: int) -> str:
    """ "A" and 12 → "A012"; numbers past 999 simply grow ("A1000")."""
    return f"{prefix}{number:03d}"


def booking_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def booking_code_normalize(raw: str) -> str:
    """What a person types ("k7m2 9x4q", "K7M2-9X4Q") as the stored code ("K7M29X4Q")."""
    return _NOT_CODE.sub("", raw or "").upper()[:20]


def hall_serves_item(*, hall_prefix: str, item_prefix: str) -> bool:
    """A matter is handled at the hall of its own region (a county's matter at the county's
    政务服务中心, a township's at its 便民服务中心)."""
    return hall_prefix == item_prefix


def slot_serves_item(
    *,
    slot_item_id: int | None,
    window_kind: str | None,
    window_department_id: int | None,
    item_id: int,
    item_department_id: int,
) -> bool:
    """A slot for one matter serves only that matter; otherwise a hall-wide slot or a general
    window (综合受理, 一窗受理) serves every matter, a specialist window its department's."""
    if slot_item_id is not None:
        return slot_item_id == item_id
    if window_kind is None or window_kind == Window.Kind.GENERAL:
        return True
    return window_kind == Window.Kind.SPECIALIST and window_department_id == item_department_id


def window_serves_ticket(
    *,
    window_kind: str,
    window_department_id: int | None,
    ticket_kind: str,
    ticket_department_id: int | None,
) -> bool:
    if window_kind != ticket_kind:
        return False
    return ticket_department_id is None or ticket_department_id == window_department_id


def officer_may_serve(
    *,
    staff_department_id: int,
    staff_region_prefix: str,
    window_department_id: int | None,
    hall_region_prefix: str,
) -> bool:
    """A department's window is served by that department's officers; a window of no department
    (综合受理, 出件, 咨询) by officers of any department of the hall's own region."""
    if window_department_id is not None:
        return window_department_id == staff_department_id
    return staff_region_prefix == hall_region_prefix


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def check_in_refusal(*, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> str:
    """Why a booking cannot be checked in now, or "" when it can: only on the slot's day, from
    30 minutes before it starts until it ends."""
    if now > ends_at:
        return (
            f"预约时段已过（{local(ends_at):%H:%M} 结束），无法签到。"
            "请在取号机按事项重新取号，或重新预约"
        )
    day = local(starts_at).date()
    if local(now).date() != day:
        return f"请在预约当天（{day.month}月{day.day}日）到大厅签到"
    opens = starts_at - CHECK_IN_OPENS_BEFORE
    if now < opens:
        return f"签到时间未到：请于 {local(opens):%H:%M} 后签到（预约时段开始前30分钟起）"
    return ""


def wait_seconds(*, taken_at: dt.datetime, called_at: dt.datetime) -> int:
    return max(int((called_at - taken_at).total_seconds()), 0)


def slot_bounds(*, day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a slot given in local clock times."""
    zone = timezone.get_default_timezone()
    starts_at = dt.datetime.combine(day, start, tzinfo=zone)
    ends_at = dt.datetime.combine(day, end, tzinfo=zone)
    if ends_at <= starts_at:
        raise ValueError("时段的结束时间应晚于开始时间")
    return starts_at, ends_at


def when_label(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """ "3月5日09:00-10:00", as an SMS or a list shows a slot."""
    start, end = local(starts_at), local(ends_at)
    return f"{start.month}月{start.day}日{start:%H:%M}-{end:%H:%M}"


def sms_param(value: str, *, limit: int = 20) -> str:
    """A name fit for an SMS parameter: no brackets or line breaks, at most `limit` characters."""
    cleaned = _NOT_IN_SMS.sub("", value).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
