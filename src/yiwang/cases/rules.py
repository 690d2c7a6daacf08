"""Pure case rules: the case number, the two clocks and their light, the application form.

Nothing here reads the database or the clock: the calendar and `today` are passed in.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.core.identifiers import IdentifierError, check_resident_id, check_uscc
from yiwang.core.workdays import Reckoned, WorkCalendar
from yiwang.notify.rules import is_mobile_number

CASE_NUMBER_LENGTH = 43
QUERY_PASSWORD_DIGITS = 6
# 行政许可法 art. 42: a decision may be extended once, by at most 10 working days.
EXTENSION_MAX_DAYS = 10
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


# --- Numbers ----------------------------------------------------------------------------------


def case_number(*, item_code: str, day: dt.date, seq: int) -> str:
    """实施编码 (31) + yyyyMMdd + a 4-digit daily sequence: 43 characters (REFERENCE §2)."""
    if len(item_code) != 31:
        raise ValueError("实施编码应为 31 位")
    if not 1 <= seq <= 9999:
        raise ValueError("当日办件流水号已用完（最多 9999 件）")
    return f"{item_code}{day:%Y%m%d}{seq:04d}"


def query_password_new() -> str:
    """A random digit string the applicant uses with the case number to follow progress."""
    return "".join(secrets.choice("0123456789") for _ in range(QUERY_PASSWORD_DIGITS))


def query_password_digest(*, number: str, password: str) -> str:
    """A keyed digest (HMAC-SHA256 with the site's secret) of a case's query password. Guessing is
    stopped by the failure limit of the progress query, so a slow password hash (hundreds of
    milliseconds per submission) would buy nothing."""
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "yiwang.cases.query_password", f"{number}:{password}", algorithm="sha256"
    ).hexdigest()


def query_password_matches(*, number: str, password: str, digest: str) -> bool:
    from django.utils.crypto import constant_time_compare

    return bool(digest) and constant_time_compare(
        query_password_digest(number=number, password=password), digest
    )


NOTICE_MARKS = {
    "receipt": "收",
    "acceptance": "受",
    "refusal": "不受",
    "correction": "补",
    "special": "特",
    "completion": "结",
}


def document_number(*, department_short: str, kind: str, year: int, seq: int) -> str:
    """A notice's number, e.g. 西峰区市场监管局受〔2026〕第0001号."""
    return f"{department_short}{NOTICE_MARKS[kind]}〔{year}〕第{seq:04d}号"


# --- The clocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A pause: the clock stands still on the days after `start` up to and including `end`
    (an open pause runs to `today`)."""

    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Clock:
    due_on: dt.date
    yellow_from: dt.date
    provisional: bool
    unknown_years: frozenset[int]


def _days_in(
    calendar: WorkCalendar, start: dt.date, end: dt.date, *, calendar_days: bool
) -> Reckoned[int]:
    if calendar_days:
        return Reckoned(max((end - start).days, 0), False)
    return calendar.count_working_days(start, end)


def _add(
    calendar: WorkCalendar, start: dt.date, days: int, *, calendar_days: bool
) -> Reckoned[dt.date]:
    if calendar_days:
        return Reckoned(start + dt.timedelta(days=days), False)
    return calendar.add_working_days(start, days)


def paused_days(
    *,
    accepted_on: dt.date,
    pauses: Iterable[Interval],
    today: dt.date,
    calendar: WorkCalendar,
    calendar_days: bool = False,
) -> Reckoned[int]:
    """The days (working days unless `calendar_days`) the clock stood still after acceptance."""
    total, unknown = 0, set[int]()
    for pause in pauses:
        start = max(pause.start, accepted_on)
        end = pause.end or today
        if end <= start:
            continue
        counted = _days_in(calendar, start, end, calendar_days=calendar_days)
        total += counted.value
        unknown |= counted.unknown_years
    return Reckoned(total, bool(unknown), frozenset(unknown))


def due_date(
    *,
    accepted_on: dt.date,
    limit: int,
    extension: int = 0,
    pauses: Iterable[Interval] = (),
    today: dt.date,
    calendar: WorkCalendar,
    calendar_days: bool = False,
) -> Reckoned[dt.date]:
    """When a limit runs out: counting starts the day after acceptance, paused days do not
    count, an extension adds its days. A limit of 0 (即办件) is due on the day of acceptance."""
    paused = paused_days(
        accepted_on=accepted_on,
        pauses=pauses,
        today=today,
        calendar=calendar,
        calendar_days=calendar_days,
    )
    due = _add(calendar, accepted_on, limit + extension + paused.value, calendar_days=calendar_days)
    unknown = paused.unknown_years | due.unknown_years
    return Reckoned(due.value, bool(unknown), frozenset(unknown))


@dataclass(frozen=True)
class WarningRule:
    """Yellow when at most `days` working days, or at most `percent` % of the limit, remain."""

    days: int = 2
    percent: int = 20

    def threshold(self, limit: int) -> int:
        return max(self.days, math.ceil(limit * self.percent / 100))


def yellow_from(
    *,
    due_on: dt.date,
    limit: int,
    rule: WarningRule,
    calendar: WorkCalendar,
    calendar_days: bool = False,
) -> dt.date:
    """The first day on which at most the rule's threshold of days remain before `due_on`."""
    threshold = rule.threshold(limit)
    working: Callable[[dt.date], bool] = (
        (lambda _day: True) if calendar_days else calendar.is_working_day
    )
    day, remaining = due_on, 0
    while True:
        before = remaining + (1 if working(day) else 0)
        if before > threshold:
            return day
        day, remaining = day - dt.timedelta(days=1), before


def clock(
    *,
    accepted_on: dt.date,
    limit: int,
    extension: int,
    pauses: Iterable[Interval],
    today: dt.date,
    calendar: WorkCalendar,
    rule: WarningRule,
    calendar_days: bool = False,
) -> Clock:
    due = due_date(
        accepted_on=accepted_on,
        limit=limit,
        extension=extension,
        pauses=pauses,
        today=today,
        calendar=calendar,
        calendar_days=calendar_days,
    )
    yellow = yellow_from(
        due_on=due.value,
        limit=limit + extension,
        rule=rule,
        calendar=calendar,
        calendar_days=calendar_days,
    )
    return Clock(due.value, yellow, due.provisional, due.unknown_years)


def light(
    *,
    counting: bool,
    paused: bool,
    due_on: dt.date | None,
    yellow_from: dt.date | None,
    today: dt.date,
) -> str:
    """green / yellow / red / paused / none (see `models.Light`)."""
    if not counting or due_on is None:
        return "none"
    if paused:
        return "paused"
    if today > due_on:
        return "red"
    if yellow_from is not None and today >= yellow_from:
        return "yellow"
    return "green"


# --- The application form ---------------------------------------------------------------------


def form_prefill(schema: list[dict[str, Any]], identity: Mapping[str, str]) -> dict[str, str]:
    """The values the platform fills in from the applicant's identity (`fill_from`)."""
    values: dict[str, str] = {}
    for field in schema:
        source = field.get("fill_from", "")
        if source and identity.get(source):
            values[field["name"]] = identity[source]
    return values


def _field_problem(field: Mapping[str, Any], value: str) -> str | None:
    kind, label = field.get("type", "text"), field.get("label", field.get("name", ""))
    max_length = field.get("max_length") or (2000 if kind == "textarea" else 200)
    if len(value) > max_length:
        return f"{label}不能超过 {max_length} 个字符"
    try:
        if kind == "number":
            Decimal(value)
        elif kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "resident_id":
            check_resident_id(value)
        elif kind == "uscc":
            check_uscc(value)
    except (InvalidOperation, ValueError) as exc:
        if isinstance(exc, IdentifierError):
            return f"{label}：{exc}"
        return f"{label}格式不正确"
    if kind == "phone" and not is_mobile_number(value):
        return f"{label}应为 11 位手机号码"
    if kind == "select" and value not in [str(o) for o in field.get("options", [])]:
        return f"{label}只能从给定选项中选择"
    return None


def form_clean(
    schema: list[dict[str, Any]], data: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's values (trimmed strings, unknown keys dropped) and the problems per field."""
    values: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for field in schema:
        name = field["name"]
        raw = data.get(name, "")
        value = "" if raw is None else str(raw).strip()
        if not value:
            if field.get("required"):
                problems[name] = [f"请填写{field.get('label', name)}"]
            continue
        problem = _field_problem(field, value)
        if problem:
            problems[name] = [problem]
        values[name] = value
    return values, problems
