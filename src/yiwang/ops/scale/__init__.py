"""Qingyang-scale data for load tests: `yiwang demo --scale N`.

On top of the normal demo (regions, 701 departments, the ~5,200 implementation items, the demo
accounts) this writes N × (4,547 staff, 200,000 persons, 20,000 enterprises, 1,000,000 cases with
their steps, pauses and events) in a few large inserts: PostgreSQL COPY, SQLite `executemany`.

No per-case service is called (a million `case_accept` calls would take hours). Instead each case
is *simulated*: its life is played forward from submission (submit or window intake, acceptance
or refusal, correction, the item's steps, a special procedure, the decision, delivery, a
withdrawal) with the same fields, states, events and clocks the services would have written,
and stopped at `now`. So the proportions come out as they do in a real year: the old cases are
delivered, the last few days' are waiting for acceptance, under review or waiting for a
correction. The deadlines are computed by `cases.rules.clock` over the stored working-day
calendar, exactly as `services.case_clock_update` does; case numbers follow `rules.case_number`
and the daily counters are left where the services continue from.

What is not generated: the notice rows and their PDFs (收件凭证, 受理通知书 …), uploaded material
files, upward-reporting outbox rows and SMS. The 300,000 × N ratings (好差评) and their tickets
come from the reviews domain's generator (`ratings_load`).

DEMO DATA: the people, enterprises and numbers are made up. Every account has the demo password;
a case's query password is `query_password_for(number)`, so the load test can follow any case.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.audit import SYSTEM_ACTOR, audit_record
from yiwang.core.models import AuditRecord
from yiwang.ops.scale.bulk import Writer
from yiwang.ops.scale.calendar import local_date
from yiwang.ops.scale.cases import CaseGenerator
from yiwang.ops.scale.history import query_password_for
from yiwang.ops.scale.people import (
    enterprises_load,
    person_phone,
    persons_load,
    staff_load,
    staff_username,
)

__all__ = [
    "FULL",
    "ScaleCounts",
    "counts_for",
    "local_date",
    "person_phone",
    "query_password_for",
    "ratings_load",
    "scale_load",
    "scale_loaded",
    "staff_username",
]

SCALE_ACTION = "demo.scale_loaded"


@dataclass(frozen=True)
class ScaleCounts:
    staff: int
    persons: int
    enterprises: int
    cases: int
    ratings: int


# Qingyang at scale 1 (REFERENCE §10): staff of the 701 departments, registered persons and
# enterprises, one year of cases and of ratings.
FULL = ScaleCounts(
    staff=4_547, persons=200_000, enterprises=20_000, cases=1_000_000, ratings=300_000
)


def counts_for(scale: float) -> ScaleCounts:
    """The row counts at `scale` (at least one staff member, person, enterprise and case)."""
    if not 0 < scale <= 100:
        raise ValueError("scale must be greater than 0 and at most 100")
    return ScaleCounts(
        staff=max(3, round(FULL.staff * scale)),
        persons=max(1, round(FULL.persons * scale)),
        enterprises=max(1, round(FULL.enterprises * scale)),
        cases=max(1, round(FULL.cases * scale)),
        ratings=round(FULL.ratings * scale),
    )


def scale_loaded() -> float | None:
    """The scale loaded into this database, or None."""
    record = AuditRecord.objects.filter(action=SCALE_ACTION).order_by("-seq").first()
    return float(record.detail.get("scale", 0)) if record is not None else None


def scale_load(
    *,
    scale: float,
    now: dt.datetime | None = None,
    seed: int = 20260101,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Generate the scale data (once; a second call returns {}). Needs the demo loaded."""
    counts = counts_for(scale)
    if scale_loaded() is not None:
        return {}
    if not ImplementationItem.objects.filter(status=ItemStatus.PUBLISHED).exists():
        raise RuntimeError("load the demo first (yiwang demo): the catalog is empty")
    now = (now or timezone.now()).astimezone(dt.UTC)
    say = progress or (lambda _message: None)
    started = time.monotonic()
    writer = Writer()
    result: dict[str, int] = {}
    with transaction.atomic():
        writer.prepare()
        rng = random.Random(seed)  # noqa: S311 - made-up demo data, not secrets
        staff = staff_load(counts.staff, rng=rng, now=now, writer=writer)
        result["staff"] = len(staff.members)
        say(f"staff: {len(staff.members)} ({time.monotonic() - started:.0f} s)")
        persons = persons_load(counts.persons, rng=rng, now=now, writer=writer)
        result["persons"] = len(persons)
        say(f"persons: {len(persons)} ({time.monotonic() - started:.0f} s)")
        enterprises = enterprises_load(
            counts.enterprises, persons=persons, rng=rng, now=now, writer=writer
        )
        result["enterprises"] = len(enterprises)
        say(f"enterprises: {len(enterprises)} ({time.monotonic() - started:.0f} s)")
        generator = CaseGenerator(
            staff=staff, persons=persons, enterprises=enterprises, rng=rng, now=now, writer=writer
        )
        result.update(generator.run(counts.cases, say=say, started=started))
        result["ratings"] = ratings_load(count=counts.ratings, now=now)
        writer.finish()
        audit_record(
            actor=SYSTEM_ACTOR,
            action=SCALE_ACTION,
            detail={"scale": scale, **result, "seconds": round(time.monotonic() - started)},
        )
    writer.analyze()
    say(f"done ({time.monotonic() - started:.0f} s)")
    return result


def ratings_load(*, count: int, now: dt.datetime) -> int:
    """`count` ratings (好差评) of delivered cases (300,000 at scale 1), with the tickets of the
    bad ones: `reviews.demo.ratings_generate`, in bulk."""
    from yiwang.reviews.demo import ratings_generate

    return ratings_generate(count=count, now=now)
