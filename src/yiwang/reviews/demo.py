"""Generated ratings for the demo and the scale data: a year of 好差评 over the delivered cases,
written in bulk (no per-rating service call) with the same fields the services write.

Levels follow a plausible spread (most 非常满意, a few per cent bad); a fifth are default ratings;
each bad rating gets its ticket, most of them closed after a visit and a rectification.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.cases.models import Case, CaseState
from yiwang.reviews.models import (
    ONLINE_INDICATORS,
    Resolution,
    Review,
    Ticket,
    TicketState,
)
from yiwang.reviews.services import ticket_deadline

LEVELS = ["1", "2", "3", "4", "5"]
WEIGHTS = [70, 20, 6, 3, 1]
CHANNELS = ["1", "2", "3", "7"]
CHANNEL_WEIGHTS = [35, 45, 10, 10]
BATCH = 5000
TEXTS = {
    "4": "等待时间较长，希望提高效率",
    "5": "多次补充材料，办事指南写得不清楚",
}


@cache
def _deadline(day: dt.date) -> tuple[dt.date, dt.date]:
    return ticket_deadline(day)


def _cases(count: int) -> Iterator[tuple[Any, ...]]:
    """Every k-th delivered case, so the ratings spread over the year."""
    delivered = Case.objects.filter(state=CaseState.DELIVERED, completed_at__isnull=False)
    total = delivered.count()
    if total == 0 or count <= 0:
        return
    step = max(total // count, 1)
    columns = (
        "pk", "department_id", "region_prefix", "item_id", "accepted_by_id", "completed_at",
        "channel", "applicant_user_id", "phone",
    )  # fmt: skip
    for index, row in enumerate(delivered.order_by("pk").values_list(*columns).iterator(2000)):
        if index % step == 0:
            yield row
            count -= 1
            if count == 0:
                return


def ratings_generate(*, count: int, now: dt.datetime | None = None, seed: int = 2026) -> int:
    """Write up to `count` ratings of delivered cases that have none yet (idempotent per case)."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - made-up demo data
    rated = set(Review.objects.filter(case__isnull=False).values_list("case_id", flat=True))
    made = 0
    batch: list[Review] = []

    def flush() -> None:
        nonlocal made
        if not batch:
            return
        with transaction.atomic():
            reviews = Review.objects.bulk_create(batch)
            tickets = [_ticket(review, rng, now) for review in reviews if review.level in "45"]
            Ticket.objects.bulk_create([t for t in tickets if t is not None])
        made += len(batch)
        batch.clear()

    for pk, department, prefix, item, officer, completed, channel, user, phone in _cases(count):
        if pk in rated:
            continue
        is_default = rng.random() < 0.2
        level = "2" if is_default else rng.choices(LEVELS, WEIGHTS)[0]
        at = min(completed + dt.timedelta(hours=rng.randint(1, 96)), now)
        indicators = rng.sample(sorted(ONLINE_INDICATORS), 1) if level in "345" else []
        batch.append(
            Review(
                occasion="online", occasion_key=f"case:{pk}", sequence=1, case_id=pk,
                item_id=item, department_id=department, region_prefix=prefix,
                officer_id=officer if channel == "1" else None,
                channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0] if not is_default else "1",
                level=level, indicators=indicators, text=TEXTS.get(level, ""),
                rater_id=None if is_default else user, rater_phone=phone, is_default=is_default,
                created_at=at, month=timezone.localtime(at).date().replace(day=1),
            )
        )  # fmt: skip
        if len(batch) >= BATCH:
            flush()
    flush()
    return made


def _ticket(review: Review, rng: random.Random, now: dt.datetime) -> Ticket | None:
    opened = review.created_at
    due, yellow = _deadline(timezone.localtime(opened).date())
    age = (now - opened).days
    ticket = Ticket(
        review=review, department_id=review.department_id, region_prefix=review.region_prefix,
        opened_at=opened, due_on=due, yellow_from=yellow,
    )  # fmt: skip
    if age < 3 and rng.random() < 0.7:
        return ticket  # still waiting for the visit
    ticket.visit_method, ticket.visit_note = "phone", "已电话回访，情况属实"
    ticket.visited_at = opened + dt.timedelta(days=1)
    ticket.resolution = rng.choice([Resolution.RECTIFY_NOW, Resolution.EXPLAIN])
    ticket.outcome = "已对相关人员进行提醒，优化办事指南说明"
    ticket.handled_at = opened + dt.timedelta(days=3)
    if age < 10 and rng.random() < 0.5:
        ticket.state = TicketState.HANDLED
        return ticket
    ticket.state = TicketState.CLOSED
    ticket.closed_at = opened + dt.timedelta(days=5)
    return ticket
