"""A year of cases, day by day, simulated (`history`) and written in batches."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings

from yiwang.cases import rules
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CasePause,
    CaseStep,
    DailyCounter,
)
from yiwang.core.workdays import calendar_between
from yiwang.ops.scale.bulk import Writer, batches
from yiwang.ops.scale.calendar import CHINA, OFFICE, Days, at_minute, local_date
from yiwang.ops.scale.history import CaseSim
from yiwang.ops.scale.items import Item, items_load
from yiwang.ops.scale.people import EnterpriseRow, PersonRow, StaffPlan

CASE_FIELDS = [
    "id",
    "number",
    "query_password",
    "item",
    "version",
    "department",
    "region_prefix",
    "state",
    "applicant_user",
    "person",
    "enterprise",
    "applicant_type",
    "applicant_name",
    "applicant_id_type",
    "applicant_id_number",
    "legal_representative",
    "agent_name",
    "agent_id_number",
    "phone",
    "address",
    "channel",
    "form_data",
    "delivery",
    "delivery_address",
    "idempotency_key",
    "intake_by",
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_at",
    "accepted_by",
    "completed_at",
    "approved",
    "result_name",
    "delivered_at",
    "closed_reason",
    "legal_limit",
    "promised_limit",
    "calendar_days",
    "extension_days",
    "extended_at",
    "legal_due_on",
    "promised_due_on",
    "yellow_from",
    "due_provisional",
    "paused",
]
STEP_FIELDS = [
    "id",
    "case",
    "department",
    "order",
    "name",
    "role",
    "limit",
    "state",
    "assignee",
    "started_at",
    "ended_at",
    "due_on",
]
EVENT_FIELDS = [
    "id",
    "case",
    "kind",
    "action",
    "from_state",
    "to_state",
    "step_name",
    "actor",
    "actor_name",
    "actor_role",
    "opinion",
    "data",
    "public",
    "at",
]
PAUSE_FIELDS = [
    "id",
    "case",
    "kind",
    "started_at",
    "ended_at",
    "reason",
    "items",
    "special_kind",
    "special_limit",
    "result",
    "document_number",
    "resume_state",
]


class CaseGenerator:
    """One year of cases, day by day, each simulated up to `now` and written in batches."""

    FLUSH = 20_000

    def __init__(
        self,
        *,
        staff: StaffPlan,
        persons: list[PersonRow],
        enterprises: list[EnterpriseRow],
        rng: random.Random,
        now: dt.datetime,
        writer: Writer,
    ) -> None:
        self.staff, self.persons, self.enterprises = staff, persons, enterprises
        self.rng, self.now, self.writer = rng, now, writer
        self.today = local_date(now)
        self.first_day = self.today - dt.timedelta(days=364)
        start, end = self.first_day - dt.timedelta(days=7), self.today + dt.timedelta(days=400)
        self.days = Days(calendar_between(start, end), start, end)
        self.rule = rules.WarningRule(
            days=settings.CASES_WARNING_DAYS, percent=settings.CASES_WARNING_PERCENT
        )
        self.items, self.weights = items_load(staff)
        self.cumulative = list(_accumulate(self.weights))
        self.counters: dict[tuple[str, dt.date], int] = {}
        self.existing_counters: set[tuple[str, dt.date]] = set()
        for key, day, last in DailyCounter.objects.filter(
            key__startswith="case:", day__gte=self.first_day - dt.timedelta(days=7)
        ).values_list("key", "day", "last"):
            self.counters[(key, day)] = last
            self.existing_counters.add((key, day))
        self.clock_memo: dict[tuple, tuple[dt.date, dt.date, dt.date, bool]] = {}
        self.cases: list[tuple] = []
        self.steps: list[tuple] = []
        self.events: list[tuple] = []
        self.pauses: list[tuple] = []
        self.totals: dict[str, int] = defaultdict(int)
        self.states: dict[str, int] = defaultdict(int)

    # -- the year, day by day

    def run(self, total: int, *, say: Callable[[str], None], started: float) -> dict[str, int]:
        day_weights = []
        day = self.first_day
        while day <= self.today:
            weight = 1.0 if self.days.is_working(day) else 0.25
            if day == self.today:
                weight *= _elapsed_share(self.now)
            day_weights.append((day, weight))
            day += dt.timedelta(days=1)
        grand = sum(w for _, w in day_weights)
        made, owed = 0, 0.0
        try:
            for index, (day, weight) in enumerate(day_weights):
                owed += total * weight / grand
                count = total - made if index == len(day_weights) - 1 else round(owed) - made
                slots = sorted(self._slot(day) for _ in range(max(count, 0)))
                for submitted_at, window in slots:
                    self._case(submitted_at, window)
                made += max(count, 0)
                if len(self.cases) >= self.FLUSH:
                    self._flush()
                    say(f"cases: {made} ({time.monotonic() - started:.0f} s)")
            self._flush()
        finally:
            # The last batch is in (or its COPY has stopped) before anything else uses the
            # connection, the transaction's rollback included.
            self.writer.wait()
        self._write_counters()
        totals = {
            "cases": self.totals["cases"],
            "case_steps": self.totals["steps"],
            "case_events": self.totals["events"],
            "case_pauses": self.totals["pauses"],
        }
        totals.update({f"cases_{state}": n for state, n in sorted(self.states.items())})
        return totals

    def _slot(self, day: dt.date) -> tuple[dt.datetime, bool]:
        """When a case arrives on `day`, and whether at a window (working days, office hours)."""
        rng = self.rng
        latest = 24 * 60.0
        if day == self.today:
            now_local = self.now.astimezone(CHINA)
            latest = now_local.hour * 60 + now_local.minute + now_local.second / 60
        window = self.days.is_working(day) and rng.random() < 0.45 and latest > OFFICE[0] + 1
        if window:
            return at_minute(day, rng.uniform(OFFICE[0], min(OFFICE[1], latest - 0.5))), True
        low = min(7 * 60, latest * 0.5)
        return at_minute(day, rng.uniform(low, max(low, min(23 * 60, latest - 0.5)))), False

    def _flush(self) -> None:
        # PostgreSQL takes this batch while the next one is simulated.
        self.writer.write_behind(
            [
                (Case, CASE_FIELDS, self.cases),
                (CaseStep, STEP_FIELDS, self.steps),
                (CasePause, PAUSE_FIELDS, self.pauses),
                (CaseEvent, EVENT_FIELDS, self.events),
            ]
        )
        self.totals["cases"] += len(self.cases)
        self.totals["steps"] += len(self.steps)
        self.totals["events"] += len(self.events)
        self.totals["pauses"] += len(self.pauses)
        self.cases, self.steps, self.events, self.pauses = [], [], [], []

    def _write_counters(self) -> None:
        new = [
            (key, day, last)
            for (key, day), last in self.counters.items()
            if (key, day) not in self.existing_counters
        ]
        for batch in batches(new):
            self.writer.write(DailyCounter, ["key", "day", "last"], batch)
        for key, day in self.existing_counters:
            DailyCounter.objects.filter(key=key, day=day).update(last=self.counters[(key, day)])

    # -- one case

    def _pick_item(self, window: bool) -> Item:
        rng = self.rng
        for _ in range(20):
            x = rng.random() * self.cumulative[-1]
            item = self.items[bisect.bisect_right(self.cumulative, x)]
            if window or item.online:
                return item
        return item

    def _case(self, submitted_at: dt.datetime, window: bool) -> None:
        item = self._pick_item(window)
        if not window and not item.online:
            # Only a window takes this item: out of hours, the case moves to the last working
            # day before.
            window = True
            day = local_date(submitted_at) - dt.timedelta(days=1)
            while not self.days.is_working(day):
                day -= dt.timedelta(days=1)
            submitted_at = at_minute(day, self.rng.uniform(OFFICE[0], OFFICE[1]))
        sim = CaseSim(self, item, submitted_at, window)
        sim.play()
        self.states[sim.state] += 1


def _elapsed_share(now: dt.datetime) -> float:
    local = now.astimezone(CHINA)
    return (local.hour * 60 + local.minute) / (24 * 60)


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
