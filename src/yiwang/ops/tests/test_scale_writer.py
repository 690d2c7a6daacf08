"""The scale generator's writer: rows written behind the caller (PostgreSQL: COPY from a second
thread on the same connection and transaction) are all in once it waits, and a batch that fails
there fails the load, which leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from yiwang.cases.models import DailyCounter
from yiwang.ops.scale.bulk import Writer

COUNTER_FIELDS = ["key", "day", "last"]


def _counters(key: str, days: range) -> list[tuple]:
    return [(key, dt.date(2026, 1, 1) + dt.timedelta(days=d), d) for d in days]


@pytest.mark.django_db
def test_rows_written_behind_are_all_in_once_the_writer_waits() -> None:
    writer = Writer()
    with transaction.atomic():
        writer.prepare()
        writer.write_behind([(DailyCounter, COUNTER_FIELDS, _counters("bench:a", range(300)))])
        # The next batch waits for the one before: both go in, in order, once.
        writer.write_behind(
            [
                (DailyCounter, COUNTER_FIELDS, _counters("bench:b", range(200))),
                (DailyCounter, COUNTER_FIELDS, []),
            ]
        )
        writer.wait()
        assert DailyCounter.objects.filter(key="bench:a").count() == 300
        assert DailyCounter.objects.filter(key="bench:b").count() == 200
        writer.finish()
    assert DailyCounter.objects.filter(key__startswith="bench:").count() == 500


@pytest.mark.django_db
def test_a_batch_that_fails_behind_raises_and_the_load_leaves_nothing() -> None:
    writer = Writer()
    duplicate = _counters("bench:c", range(10)) + _counters("bench:c", range(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        writer.prepare()
        writer.write_behind([(DailyCounter, COUNTER_FIELDS, _counters("bench:d", range(50)))])
        writer.write_behind([(DailyCounter, COUNTER_FIELDS, duplicate)])
        writer.finish()  # waits, and raises what the COPY behind raised
    assert not DailyCounter.objects.filter(key__startswith="bench:").exists()
