"""Deadlines stored on cases: set on acceptance, moved by pauses and the extension, recomputed
when a year's calendar is loaded."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yiwang.accounts.models import Person, Staff
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.selectors import case_light, todo_for_officer
from yiwang.cases.services import Missing
from yiwang.cases.tests.conftest import submitted_case, uploads
from yiwang.catalog.models import ImplementationItem
from yiwang.core.models import CalendarDayKind
from yiwang.core.services import ScheduleDay, calendar_year_load
from yiwang.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db
CAL = WorkCalendar()
SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SH)


def test_acceptance_before_national_day(
    citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2025, 9, 30))
    case.refresh_from_db()
    # Promised 10 working days from 2025-09-30 over the 8-day holiday and the Saturday 10-11.
    assert case.promised_due_on == CAL.add_working_days(dt.date(2025, 9, 30), 10).value
    assert case.promised_due_on == dt.date(2025, 10, 21)
    assert case.legal_due_on == CAL.add_working_days(dt.date(2025, 9, 30), 20).value
    assert not case.due_provisional


def test_correction_pause_moves_both_deadlines(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff
) -> None:
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2026, 3, 2))
    case.refresh_from_db()
    promised, legal = case.promised_due_on, case.legal_due_on
    services.case_correction_request(
        case=case, officer=colleague, now=at(2026, 3, 4),
        missing=[Missing(name="经营场所平面图", problem="不清晰", material_seq=2)],
    )  # fmt: skip
    services.case_material_add(case=case, user=citizen.user, upload=uploads(2)[0])
    services.case_correction_submit(case=case, user=citizen.user, now=at(2026, 3, 9))
    case.refresh_from_db()
    assert promised is not None and legal is not None
    # Thu 03-05, Fri 03-06, Mon 03-09 stood still.
    assert CAL.count_working_days(promised, case.promised_due_on).value == 3  # type: ignore[arg-type]
    assert CAL.count_working_days(legal, case.legal_due_on).value == 3  # type: ignore[arg-type]


def test_extension_after_special_procedure(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff, approver: Staff
) -> None:
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2026, 4, 1))
    case.refresh_from_db()
    promised = case.promised_due_on
    services.case_special_start(
        case=case, officer=colleague, kind="inspection", reason="送检", limit_days=10,
        now=at(2026, 4, 3),
    )  # fmt: skip
    services.case_special_end(case=case, officer=colleague, result="合格", now=at(2026, 4, 10))
    services.case_extend(case=case, approver=approver, days=10, reason="复杂", now=at(2026, 4, 13))
    case.refresh_from_db()
    assert promised is not None and case.promised_due_on is not None
    # 04-06..04-10 has Qingming (04-06 Monday off in 2026? the library decides): count it.
    stood_still = CAL.count_working_days(dt.date(2026, 4, 3), dt.date(2026, 4, 10)).value
    assert CAL.count_working_days(promised, case.promised_due_on).value == stood_still + 10


def test_instant_matter_is_due_on_the_day(
    citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    version = matter.current_version
    assert version is not None
    version.promised_limit = 0
    version.save()
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2026, 3, 2))
    case.refresh_from_db()
    assert case.promised_due_on == dt.date(2026, 3, 2)
    assert case_light(case, today=dt.date(2026, 3, 2)) == "yellow"
    assert case_light(case, today=dt.date(2026, 3, 3)) == "red"


def test_lights_and_the_todo_filter(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff
) -> None:
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2026, 3, 2))
    case.refresh_from_db()
    assert case.promised_due_on is not None and case.yellow_from is not None
    green_day = dt.date(2026, 3, 3)
    red_day = case.promised_due_on + dt.timedelta(days=1)
    assert case_light(case, today=green_day) == "green"
    assert case_light(case, today=case.yellow_from) == "yellow"
    assert case_light(case, today=red_day) == "red"
    for light, day in [("green", green_day), ("yellow", case.yellow_from), ("red", red_day)]:
        found = todo_for_officer(officer=colleague, light=light, today=day)
        assert list(found) == [case], light
        others = {"green", "yellow", "red"} - {light}
        for other in others:
            assert not todo_for_officer(officer=colleague, light=other, today=day).exists()


def test_loading_a_year_recomputes_provisional_deadlines(
    citizen: Person, matter: ImplementationItem, officer: Staff, django_capture_on_commit_callbacks
) -> None:
    case = submitted_case(citizen, matter)
    services.case_accept(case=case, officer=officer, now=at(2026, 12, 24))
    case.refresh_from_db()
    assert case.due_provisional  # reaches into 2027, which the library does not carry
    before = case.promised_due_on
    # The 2027 schedule: New Year's Day Friday 2027-01-01 … and, say, 01-04 off too.
    days = [
        ScheduleDay(dt.date(2027, 1, 1), CalendarDayKind.HOLIDAY, "元旦"),
        ScheduleDay(dt.date(2027, 1, 4), CalendarDayKind.HOLIDAY, "元旦"),
    ]
    from yiwang.core.tasks import recompute_provisional_deadlines

    calendar_year_load(year=2027, days=days, source="测试通知", actor="test")
    changed = recompute_provisional_deadlines.call(year=2027)
    assert changed >= 1
    case.refresh_from_db()
    assert not case.due_provisional
    assert case.promised_due_on is not None and before is not None
    assert case.promised_due_on > before


def test_submitted_case_has_no_clock(case: Case) -> None:
    assert case.promised_due_on is None and case_light(case) == "none"
