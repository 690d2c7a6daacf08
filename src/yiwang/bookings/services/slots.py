"""The slots of a hall (预约时段): `slots_generate` for dates × times (× windows), and
`slots_insert_missing`, which creates only the slots not already there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction

from yiwang.bookings import rules
from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Slot
from yiwang.catalog.models import ImplementationItem
from yiwang.core.audit import SYSTEM_ACTOR, audit_record
from yiwang.regions.models import Hall, Window

MAX_CAPACITY = 500

# --- Slots -------------------------------------------------------------------------------------


def slots_generate(
    *,
    hall: Hall,
    dates: Iterable[dt.date],
    times: Sequence[tuple[dt.time, dt.time]],
    capacity: int,
    windows: Iterable[Window] | None = None,
    item: ImplementationItem | None = None,
    actor: str = SYSTEM_ACTOR,
) -> int:
    """Create the slots of `hall` for every date × time (× window, when windows are given;
    otherwise hall-wide slots); return how many were created. Slots that exist already (same
    window, matter and start) are left as they are, so running it twice creates nothing new."""
    window_list: list[Window | None] = list(windows) if windows is not None else [None]
    date_list = sorted(set(dates))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise BookingsError(
            f"可预约人数应在 1 到 {MAX_CAPACITY} 之间",
            code=BookingsErrorCode.INVALID,
            field="capacity",
        )
    if not times or not date_list:
        raise BookingsError("请至少选择一个日期和一个时段", code=BookingsErrorCode.INVALID)
    if any(w is not None and w.hall_id != hall.pk for w in window_list):
        raise BookingsError("所选窗口不属于该大厅", code=BookingsErrorCode.INVALID, field="windows")
    if item is not None and not rules.hall_serves_item(
        hall_prefix=hall.region_prefix, item_prefix=item.region_prefix
    ):
        raise BookingsError("该大厅不办理此事项", code=BookingsErrorCode.WRONG_HALL, field="item")
    try:
        bounds = [
            rules.slot_bounds(day=day, start=start, end=end)
            for day in date_list
            for start, end in times
        ]
    except ValueError as exc:
        raise BookingsError(str(exc), code=BookingsErrorCode.INVALID, field="times") from None
    with transaction.atomic():
        created = slots_insert_missing(
            hall_ids=[hall.pk],
            rows=[
                (hall.pk, w.pk if w else None, item.pk if item else None, s, e, capacity)
                for w in window_list
                for s, e in bounds
            ],
        )
        audit_record(
            actor=actor,
            action="bookings.slots_generated",
            object_type="regions.hall",
            object_id=hall.pk,
            detail={
                "created": created,
                "from": date_list[0].isoformat(),
                "to": date_list[-1].isoformat(),
                "capacity": capacity,
                "item": item.code if item else "",
            },
        )
    return created


SlotRow = tuple[int, int | None, int | None, dt.datetime, dt.datetime, int]


def slots_insert_missing(*, hall_ids: Sequence[int], rows: Sequence[SlotRow]) -> int:
    """Insert the slots not already there (matched on hall, window, matter and start)."""
    if not rows:
        return 0
    first = min(r[3] for r in rows)
    last = max(r[3] for r in rows)
    existing = set(
        Slot.objects.filter(
            hall_id__in=hall_ids, starts_at__gte=first, starts_at__lte=last
        ).values_list("hall_id", "window_id", "item_id", "starts_at")
    )
    new = [
        Slot(
            hall_id=hall_id,
            window_id=window_id,
            item_id=item_id,
            date=rules.local(starts_at).date(),
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
        )
        for hall_id, window_id, item_id, starts_at, ends_at, capacity in rows
        if (hall_id, window_id, item_id, starts_at) not in existing
    ]
    Slot.objects.bulk_create(new, batch_size=1000)
    return len(new)
