"""Staff performance: window sign-in and sign-out, leave, 德能勤绩廉 scores, the monthly
assessment (checked against hand-computed numbers), the combined score, the Excel export, who
sees what, and a query count that does not grow with the officers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.accounts.tests.conftest import QINGCHENG, XIFENG, _staff
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import accepted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.core.models import AuditRecord
from yiwang.regions.models import Window
from yiwang.reviews import services
from yiwang.reviews.errors import ReviewError
from yiwang.reviews.excel import ability_average, attendance_rate, combined_score
from yiwang.reviews.models import AbilityScore, Attendance, Channel, Occasion, Review
from yiwang.reviews.tests.conftest import finish

BASE = "/workbench/performance/"
ATTENDANCE = BASE + "attendance/"
SIGN_IN = ATTENDANCE + "sign-in/"
SIGN_OUT = ATTENDANCE + "sign-out/"
EXPORT = BASE + "export.xlsx"
MARCH = "2025-03"  # 21 working days (no holiday in March 2025)
SCORES = {"morality": 90, "ability": 85, "diligence": 80, "performance": 88, "integrity": 92}


def login(client: Client, staff: Staff) -> Client:
    """A workbench session past the second factor."""
    client.force_login(staff.user)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    return client


def at(day: int, hour: int = 9, *, month: int = 3, year: int = 2025) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def text(response: Any) -> str:
    return str(response.content.decode())


def rate(officer: Staff, levels: str, *, month: dt.date, **changes: Any) -> None:
    """Ratings of the officer's window services, one per level code in `levels`."""
    start = Review.objects.count()
    Review.objects.bulk_create(
        Review(
            occasion=Occasion.ON_SITE,
            occasion_key=f"window:test:{start + n}",
            channel=Channel.PC,
            department_id=officer.department_id,
            region_prefix=officer.region_prefix,
            officer=officer,
            level=level,
            created_at=timezone.make_aware(dt.datetime.combine(month, dt.time(10))),
            month=month,
            **changes,
        )
        for n, level in enumerate(levels)
    )


@pytest.fixture
def head_officer(approver: Staff) -> Staff:
    """The department head who also serves at a window (so appears among the officers)."""
    accounts.staff_role_grant(actor=None, staff=approver, role=Role.WINDOW_OFFICER)
    return approver


@pytest.fixture
def other_head(regions: None) -> Staff:
    """The head of another department of 西峰区."""
    return _staff("head_ps", XIFENG, "public_security", "13900000031", Role.APPROVER)


@pytest.fixture
def far_window(regions: None) -> Window:
    found = Window.objects.filter(hall__region_prefix__startswith="621021").order_by("pk").first()
    assert found is not None
    return found


# --- The combined score and its parts (pure) --------------------------------------------------


def test_combined_score_weighs_satisfaction_ability_and_attendance() -> None:
    # 40 % × 90 + 40 % × 80 + 20 % × 100 = 36 + 32 + 20
    assert combined_score(
        satisfaction=Decimal("90"), ability=Decimal("80"), attendance=Decimal("100")
    ) == Decimal("88.0")
    # 26.68 + 34.8 + 17.9 = 79.38
    assert combined_score(
        satisfaction=Decimal("66.7"), ability=Decimal("87.0"), attendance=Decimal("89.5")
    ) == Decimal("79.4")
    assert combined_score(
        satisfaction=Decimal("0"), ability=Decimal("0"), attendance=Decimal("0")
    ) == Decimal("0.0")


def test_combined_score_scales_the_weights_of_the_parts_that_exist() -> None:
    # No ability scores yet: (40 × 90 + 20 × 100) / 60 = 93.33…
    assert combined_score(
        satisfaction=Decimal("90"), ability=None, attendance=Decimal("100")
    ) == Decimal("93.3")
    # No rating: (40 × 80 + 20 × 50) / 60 = 70
    assert combined_score(
        satisfaction=None, ability=Decimal("80"), attendance=Decimal("50")
    ) == Decimal("70.0")
    assert combined_score(satisfaction=None, ability=None, attendance=Decimal("75")) == Decimal(
        "75.0"
    )
    assert combined_score(satisfaction=None, ability=None, attendance=None) is None


def test_attendance_rate_counts_days_due_without_leave() -> None:
    assert attendance_rate(present=17, leave=2, working_days=21) == Decimal("89.5")  # 17 / 19
    assert attendance_rate(present=2, leave=0, working_days=3) == Decimal("66.7")
    assert attendance_rate(present=1, leave=0, working_days=8) == Decimal("12.5")
    assert attendance_rate(present=25, leave=0, working_days=21) == Decimal("100.0")  # capped
    assert attendance_rate(present=0, leave=3, working_days=3) is None  # nothing due
    assert attendance_rate(present=0, leave=0, working_days=0) is None


def test_ability_average_is_the_mean_of_the_five_scores() -> None:
    assert ability_average([90, 85, 80, 88, 92]) == Decimal("87.0")
    assert ability_average([90, 85, 80, 88, 91]) == Decimal("86.8")
    assert ability_average([100, 100, 100, 100, 99]) == Decimal("99.8")
    assert ability_average(None) is None


# --- Signing in and out at the window ---------------------------------------------------------


@pytest.mark.django_db
def test_officer_signs_in_and_out_once_a_day(
    client: Client, officer: Staff, window: Window
) -> None:
    login(client, officer)
    page = client.get(ATTENDANCE)
    assert page.status_code == 200
    assert f'value="{window.pk}"' in text(page)
    assert "尚未签到" in text(page)

    assert client.post(SIGN_IN, {"window": window.pk}).status_code == 302
    row = Attendance.objects.get(staff=officer)
    assert (row.kind, row.window_id, row.day) == ("present", window.pk, timezone.localdate())
    assert row.signed_in_at is not None and row.signed_out_at is None
    assert "尚未签退" in text(client.get(ATTENDANCE))

    again = client.post(SIGN_IN, {"window": window.pk})
    assert again.status_code == 409
    assert "今天已签到或已请假" in text(again)
    assert Attendance.objects.filter(staff=officer).count() == 1

    assert client.post(SIGN_OUT).status_code == 302
    row.refresh_from_db()
    assert row.signed_out_at is not None
    assert "签退" in text(client.get(ATTENDANCE))

    twice = client.post(SIGN_OUT)
    assert twice.status_code == 409
    assert "今天尚未签到或已签退" in text(twice)


@pytest.mark.django_db
def test_sign_out_without_sign_in_is_refused(client: Client, officer: Staff) -> None:
    response = login(client, officer).post(SIGN_OUT)
    assert response.status_code == 409
    assert "今天尚未签到或已签退" in text(response)
    assert not Attendance.objects.exists()
    with pytest.raises(ReviewError) as caught:
        services.attendance_sign_out(staff=officer)
    assert caught.value.code == "attendance_invalid"


@pytest.mark.django_db
def test_sign_in_only_at_a_window_of_the_officers_region_and_department(
    client: Client, officer: Staff, window: Window, far_window: Window, other_head: Staff
) -> None:
    login(client, officer)
    foreign = Window.objects.filter(hall=window.hall).exclude(pk=window.pk).first()
    assert foreign is not None
    foreign.department = other_head.department
    foreign.save()
    page = text(client.get(ATTENDANCE))
    assert f'value="{far_window.pk}"' not in page
    assert f'value="{foreign.pk}"' not in page
    for refused in (far_window.pk, foreign.pk, "", "abc", 999999):
        response = client.post(SIGN_IN, {"window": refused})
        assert response.status_code == 400
        assert "请选择签到窗口" in text(response)
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_sign_in_is_refused_on_a_leave_day(
    client: Client, officer: Staff, approver: Staff, window: Window
) -> None:
    services.attendance_leave(
        manager=approver, staff=officer, day=timezone.localdate(), note="病假"
    )
    response = login(client, officer).post(SIGN_IN, {"window": window.pk})
    assert response.status_code == 409
    assert "今天已签到或已请假" in text(response)
    row = Attendance.objects.get(staff=officer)
    assert (row.kind, row.signed_in_at) == ("leave", None)
    assert "请假" in text(client.get(ATTENDANCE))


@pytest.mark.django_db
def test_officers_see_only_their_own_attendance(
    client: Client, officer: Staff, window: Window, regions: None
) -> None:
    mate = _staff("mate", XIFENG, "market_regulation", "13900000032", Role.WINDOW_OFFICER)
    services.attendance_sign_in(staff=mate, window=window)
    Attendance.objects.filter(staff=mate).update(note="同事的考勤")
    login(client, officer)
    page = text(client.get(ATTENDANCE))
    assert "同事的考勤" not in page
    assert "本月暂无考勤记录" in page
    assert client.get(f"{BASE}officers/{mate.pk}/").status_code == 403
    assert client.get(BASE).status_code == 403
    assert client.get(EXPORT).status_code == 403


@pytest.mark.django_db
def test_attendance_page_is_for_window_officers(
    client: Client, colleague: Staff, approver: Staff
) -> None:
    assert client.get(ATTENDANCE).status_code == 302  # not signed in: to the login page
    assert login(client, colleague).get(ATTENDANCE).status_code == 403
    assert login(client, approver).post(SIGN_OUT).status_code == 403


# --- Leave ------------------------------------------------------------------------------------


def officer_url(officer: Staff, what: str = "", month: str = "") -> str:
    url = f"{BASE}officers/{officer.pk}/{what + '/' if what else ''}"
    return url + (f"?month={month}" if month else "")


@pytest.mark.django_db
def test_head_enters_leave(client: Client, officer: Staff, approver: Staff) -> None:
    login(client, approver)
    page = client.get(officer_url(officer))
    assert page.status_code == 200
    assert "请假登记" in text(page)
    day = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        officer_url(officer, "leave"), {"day": day.isoformat(), "note": "年休假"}
    )
    assert response.status_code == 302
    row = Attendance.objects.get(staff=officer, day=day)
    assert (row.kind, row.note) == ("leave", "年休假")
    assert "年休假" in text(client.get(officer_url(officer)))


@pytest.mark.django_db
def test_leave_needs_a_day_and_a_reason(client: Client, officer: Staff, approver: Staff) -> None:
    login(client, approver)
    response = client.post(officer_url(officer, "leave"), {"day": "2026-13-40", "note": " "})
    assert response.status_code == 400
    assert "请假日期格式不正确" in text(response)
    assert "请填写请假事由" in text(response)
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_leave_refused_on_a_day_signed_in(
    client: Client, officer: Staff, approver: Staff, window: Window
) -> None:
    services.attendance_sign_in(staff=officer, window=window)
    today = timezone.localdate().isoformat()
    response = login(client, approver).post(
        officer_url(officer, "leave"), {"day": today, "note": "事假"}
    )
    assert response.status_code == 409
    assert "该日已签到，不能登记请假" in text(response)
    assert Attendance.objects.get(staff=officer).kind == "present"


# --- Ability scores ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_head_scores_an_officer_and_rescoring_replaces(
    client: Client, officer: Staff, approver: Staff
) -> None:
    login(client, approver)
    url = officer_url(officer, "scores", MARCH)
    assert client.post(url, {**SCORES, "note": "表现良好"}).status_code == 302
    score = AbilityScore.objects.get(staff=officer)
    assert (score.month, score.scored_by_id, score.note) == (
        dt.date(2025, 3, 1),
        approver.pk,
        "表现良好",
    )
    assert [getattr(score, f) for f in SCORES] == list(SCORES.values())
    assert client.post(url, {**SCORES, "morality": 70}).status_code == 302
    assert AbilityScore.objects.get(staff=officer).morality == 70
    page = text(client.get(officer_url(officer, month=MARCH)))
    assert 'value="70"' in page  # the form shows the month's scores


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [("101", "评分应为 0 至 100 的整数"), ("-1", "评分应为 0 至 100 的整数"),
     ("八十", "评分应为 0 至 100 的整数"), ("85.5", "评分应为 0 至 100 的整数"),
     ("", "请填写“德”的评分")],
)  # fmt: skip
def test_scores_are_whole_numbers_from_0_to_100(
    client: Client, officer: Staff, approver: Staff, value: str, message: str
) -> None:
    response = login(client, approver).post(
        officer_url(officer, "scores", MARCH), {**SCORES, "morality": value}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not AbilityScore.objects.exists()


@pytest.mark.django_db
def test_score_service_refuses_out_of_range_scores(officer: Staff, approver: Staff) -> None:
    with pytest.raises(ReviewError) as caught:
        services.ability_score_set(
            manager=approver, staff=officer, month=dt.date(2025, 3, 1),
            scores={**SCORES, "ability": 101, "integrity": -1},
        )  # fmt: skip
    assert caught.value.status == 400
    assert set(caught.value.fields) == {"ability", "integrity"}
    assert caught.value.fields["ability"] == ["评分应为 0 至 100 的整数"]
    assert not AbilityScore.objects.exists()


@pytest.mark.django_db
def test_nobody_scores_themselves(client: Client, head_officer: Staff) -> None:
    with pytest.raises(ReviewError) as caught:
        services.ability_score_set(
            manager=head_officer, staff=head_officer, month=dt.date(2025, 3, 1), scores=SCORES
        )
    assert caught.value.status == 403
    login(client, head_officer)
    page = client.get(officer_url(head_officer, month=MARCH))
    assert page.status_code == 200
    assert "不能为自己登记请假或评分" in text(page)
    response = client.post(officer_url(head_officer, "scores", MARCH), SCORES)
    assert response.status_code == 403
    assert "不能为自己登记" in text(response)
    leave = client.post(
        officer_url(head_officer, "leave"), {"day": "2025-03-03", "note": "自己请假"}
    )
    assert leave.status_code == 403
    assert not AbilityScore.objects.exists()
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_a_reviewer_cannot_score(colleague: Staff, officer: Staff) -> None:
    with pytest.raises(ReviewError) as caught:
        services.ability_score_set(
            manager=colleague, staff=officer, month=dt.date(2025, 3, 1), scores=SCORES
        )
    assert caught.value.status == 403


# --- The monthly assessment against hand-computed numbers -------------------------------------


def march_working_days() -> list[dt.date]:
    return [
        day for n in range(31) if (day := dt.date(2025, 3, 1) + dt.timedelta(days=n)).weekday() < 5
    ]


@pytest.fixture
def march(
    officer: Staff,
    approver: Staff,
    colleague: Staff,
    window: Window,
    citizen: Person,
    matter: ImplementationItem,
) -> Staff:
    """The officer's March 2025: 17 days present and 2 on leave of 21 working days; counted
    ratings 1 1 2 3 4 5 (4 good of 6); two cases handled in 2 and 1 days; scores averaging 87."""
    days = march_working_days()
    assert len(days) == 21
    for day in days[:17]:
        signed_in = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
        services.attendance_sign_in(staff=officer, window=window, now=signed_in)
        services.attendance_sign_out(staff=officer, now=signed_in + dt.timedelta(hours=9))
    for day in days[17:19]:
        services.attendance_leave(manager=approver, staff=officer, day=day, note="年休假")
    services.attendance_leave(  # another month: not counted
        manager=approver, staff=officer, day=dt.date(2025, 4, 1), note="事假"
    )
    month = dt.date(2025, 3, 1)
    rate(officer, "112345", month=month)
    rate(officer, "5", month=month, excluded=True)  # appeal upheld: not counted
    rate(officer, "5", month=month, superseded=True)  # a later evaluation counts instead
    rate(officer, "5", month=dt.date(2025, 4, 1))  # another month
    for accepted, completed in (
        (at(3), at(5)),  # 2 days
        (at(10, 9), at(11, 9)),  # 1 day
        (at(28), at(2, month=4)),  # completed in April: not counted
    ):
        case = finish(accepted_case(citizen, matter, officer), colleague, approver)
        Case.objects.filter(pk=case.pk).update(accepted_at=accepted, completed_at=completed)
    services.ability_score_set(manager=approver, staff=officer, month=month, scores=SCORES)
    return officer


HEADERS = [
    "序号", "姓名", "出勤天数", "请假天数", "应出勤天数", "出勤率", "评价数", "满意率", "差评数",
    "办件数", "平均办理天数", "德", "能", "勤", "绩", "廉", "德能勤绩廉平均分", "综合得分",
]  # fmt: skip


@pytest.mark.django_db
def test_overview_shows_the_hand_computed_month(
    client: Client, march: Staff, approver: Staff
) -> None:
    response = login(client, approver).get(BASE, {"month": MARCH})
    assert response.status_code == 200
    row = text(response).split(f'data-staff="{march.pk}"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("</td")[0].strip() for c in row.split("<td")[1:]]
    assert cells[:17] == [
        march.name, "17", "2", "19", "89.5%", "6", "66.7%", "2", "2", "1.5",
        "90", "85", "80", "88", "92", "87.0", "<strong>79.4</strong>",
    ]  # fmt: skip
    assert "本月工作日 21 天" in text(response)
    assert "综合得分 = 40% × 满意率 + 40% × 德能勤绩廉平均分 + 20% × 出勤率" in text(response)


@pytest.mark.django_db
def test_export_is_the_same_month_in_excel(client: Client, march: Staff, approver: Staff) -> None:
    response = login(client, approver).get(EXPORT, {"month": MARCH})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    sheet = book["月度考核"]
    title = sheet["A1"].value
    assert march.department.name in title and "2025年03月" in title
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet.freeze_panes == "C3"
    assert sheet.max_row == 3  # the title, the headers, one officer
    values = [c.value for c in sheet[3]]
    assert values[:5] == [1, march.name, 17, 2, 19]
    assert values[5] == pytest.approx(0.895)
    assert values[6:8] == [6, pytest.approx(0.667)]
    assert values[8:17] == [2, 2, 1.5, 90, 85, 80, 88, 92, 87.0]
    assert values[17] == pytest.approx(79.4)
    formats = {HEADERS[i]: c.number_format for i, c in enumerate(sheet[3])}
    assert formats["出勤率"] == formats["满意率"] == "0.0%"
    assert formats["综合得分"] == formats["平均办理天数"] == "0.0"
    notes = [row[0].value for row in book["计分说明"].iter_rows()]
    assert notes[0] == "综合得分 = 40% × 满意率 + 40% × 德能勤绩廉平均分 + 20% × 出勤率"
    record = AuditRecord.objects.get(action="review.assessment_exported")
    assert record.actor == approver.user.username and record.detail == {"month": "2025-03"}
    assert record.object_id == str(march.department_id)


@pytest.mark.django_db
def test_an_officer_without_records_has_dashes_and_no_score(
    client: Client, officer: Staff, approver: Staff
) -> None:
    page = text(login(client, approver).get(BASE, {"month": MARCH}))
    row = page.split(f'data-staff="{officer.pk}"')[1].split("</tr>")[0]
    assert "未评分" in row
    assert "<strong>0.0</strong>" in row  # 0 of 21 days present: attendance alone counts
    book = load_workbook(BytesIO(client.get(EXPORT, {"month": MARCH}).content))
    values = [c.value for c in book["月度考核"][3]]
    assert values[1:12] == [officer.name, 0, 0, 21, 0.0, 0, None, 0, 0, None, None]


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_overview_is_for_heads_and_supervisors(
    client: Client, officer: Staff, colleague: Staff, sysadmin: Staff
) -> None:
    assert client.get(BASE).status_code == 302
    for staff in (officer, colleague, sysadmin):
        login(client, staff)
        for url in (BASE, EXPORT, officer_url(officer)):
            response = client.get(url)
            assert response.status_code == 403, (staff, url)
            assert "电子监察员" in text(response)
        assert client.post(officer_url(officer, "scores", MARCH), SCORES).status_code == 403
    assert not AbilityScore.objects.exists()


@pytest.mark.django_db
def test_heads_see_only_their_department(
    client: Client, officer: Staff, other_head: Staff, approver: Staff
) -> None:
    login(client, other_head)
    own = client.get(BASE)
    assert own.status_code == 200
    assert f'data-staff="{officer.pk}"' not in text(own)
    assert client.get(BASE, {"department": officer.department_id}).status_code == 404
    assert client.get(EXPORT, {"department": officer.department_id}).status_code == 404
    assert client.get(officer_url(officer)).status_code == 404
    assert client.post(officer_url(officer, "scores", MARCH), SCORES).status_code == 404
    leave = client.post(officer_url(officer, "leave"), {"day": "2025-03-03", "note": "事假"})
    assert leave.status_code == 404
    assert not AbilityScore.objects.exists() and not Attendance.objects.exists()
    mine = login(client, approver).get(BASE)
    assert f'data-staff="{officer.pk}"' in text(mine)
    assert 'name="department"' not in text(mine)  # a head has no department to choose


@pytest.mark.django_db
def test_supervisors_choose_among_their_regions_departments(
    client: Client, officer: Staff, other_officer: Staff, supervisor: Staff, other_supervisor: Staff
) -> None:
    login(client, supervisor)
    page = client.get(BASE)
    assert page.status_code == 200
    assert f'<option value="{officer.department_id}"' in text(page)
    assert f'<option value="{other_officer.department_id}"' not in text(page)
    chosen = client.get(BASE, {"department": str(officer.department_id), "month": MARCH})
    assert f'data-staff="{officer.pk}"' in text(chosen)
    assert client.get(EXPORT, {"department": officer.department_id}).status_code == 200
    assert client.get(BASE, {"department": other_officer.department_id}).status_code == 404
    assert client.get(BASE, {"department": "x"}).status_code == 404
    assert client.get(officer_url(other_officer)).status_code == 404
    url = officer_url(officer, "scores", MARCH)
    assert client.post(url, SCORES).status_code == 302
    assert AbilityScore.objects.get(staff=officer).scored_by_id == supervisor.pk

    login(client, other_supervisor)
    assert client.get(BASE, {"department": officer.department_id}).status_code == 404
    assert client.get(EXPORT, {"department": officer.department_id}).status_code == 404
    assert client.get(officer_url(officer)).status_code == 404
    assert client.post(url, {**SCORES, "morality": 1}).status_code == 404
    assert AbilityScore.objects.get(staff=officer).morality == SCORES["morality"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "message"),
    [("2025-13", "月份应为“年-月”格式"), ("2025/03", "月份应为“年-月”格式"),
     ("1999-12", "月份应为“年-月”格式"), ("2999-01", "不能选择未来的月份")],
)  # fmt: skip
def test_a_bad_month_is_refused_in_chinese(
    client: Client, approver: Staff, officer: Staff, month: str, message: str
) -> None:
    login(client, approver)
    for response in (
        client.get(BASE, {"month": month}),
        client.get(EXPORT, {"month": month}),
        client.post(officer_url(officer, "scores", month), SCORES),
    ):
        assert response.status_code == 400
        assert message in text(response)
    assert not AbilityScore.objects.exists()


# --- Query count ------------------------------------------------------------------------------


def officers_with_a_month(count: int, start: int, approver: Staff, window: Window) -> None:
    month = dt.date(2025, 3, 1)
    for n in range(start, start + count):
        staff = _staff(
            f"w{n}", XIFENG, "market_regulation", f"139000011{n:02d}", Role.WINDOW_OFFICER
        )
        services.attendance_sign_in(staff=staff, window=window, now=at(3))
        services.attendance_leave(manager=approver, staff=staff, day=dt.date(2025, 3, 4), note="假")
        rate(staff, "125", month=month)
        services.ability_score_set(manager=approver, staff=staff, month=month, scores=SCORES)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"month": MARCH})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_overview_queries_do_not_grow_with_officers(
    client: Client, approver: Staff, window: Window
) -> None:
    login(client, approver)
    officers_with_a_month(2, 0, approver, window)  # and the window fixture's officer
    assert text(client.get(BASE, {"month": MARCH})).count("data-staff=") == 3
    three = (queries(client, BASE), queries(client, EXPORT))
    officers_with_a_month(7, 2, approver, window)
    assert text(client.get(BASE, {"month": MARCH})).count("data-staff=") == 10
    assert (queries(client, BASE), queries(client, EXPORT)) == three


@pytest.mark.django_db
def test_supervisor_without_departments_sees_an_empty_page(client: Client, regions: None) -> None:
    lonely = _staff("jc3", QINGCHENG, "government_services", "13900000043", Role.SUPERVISOR)
    page = login(client, lonely).get(BASE)
    assert page.status_code == 200
    assert "本区划暂无配备窗口工作人员的部门" in text(page)
    assert client.get(EXPORT).status_code == 404
