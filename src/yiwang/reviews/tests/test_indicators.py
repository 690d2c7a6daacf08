"""The indicator pages: the formulas against a hand-computed month, who sees which figures,
bad input, the server-drawn charts, and a year of ratings whose page costs the same few queries
as an empty one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts.models import Staff
from yiwang.cases.tests.test_workbench import login
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Department
from yiwang.reviews import charts
from yiwang.reviews.models import Review, Ticket, TicketState
from yiwang.reviews.selectors import indicator_table, indicator_total, months_back

pytestmark = pytest.mark.django_db

PAGE = "/workbench/reviews/indicators/"
MARCH = dt.date(2026, 3, 1)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def rate(value: str) -> Decimal:
    return Decimal(value)


class Maker:
    """Reviews written directly (this is a test of reads), each with the ticket its story
    needs."""

    def __init__(self, department: Department, month: dt.date = MARCH) -> None:
        self.department, self.month, self.n = department, month, 0

    def __call__(
        self,
        level: str,
        *,
        key: str = "",
        sequence: int = 1,
        ticket: str = "",
        **fields: Any,
    ) -> Review:
        self.n += 1
        at = dt.datetime(self.month.year, self.month.month, 10, 9, tzinfo=SHANGHAI)
        review = Review.objects.create(
            occasion="online", occasion_key=key or f"t:{self.department.pk}:{self.n}",
            sequence=sequence, department=self.department,
            region_prefix=self.department.region_prefix, channel="1", level=level,
            indicators=["efficiency"] if level in "345" else [], created_at=at,
            month=self.month, **fields,
        )  # fmt: skip
        if ticket:
            Ticket.objects.create(
                review=review, department=self.department, region_prefix=review.region_prefix,
                state=ticket, opened_at=at, due_on=at.date() + dt.timedelta(days=21),
                yellow_from=at.date() + dt.timedelta(days=18),
                visited_at=at if ticket in ("visited", "closed") else None,
                closed_at=at if ticket == "closed" else None,
            )  # fmt: skip
        return review


@pytest.fixture
def march(officer: Staff) -> Department:
    """Ten ratings of the officer's department in March 2026, worked out by hand:

    | # | level | note                                   | counted |
    |---|-------|----------------------------------------|---------|
    | 1 | 1     |                                        | yes     |
    | 2 | 1     |                                        | yes     |
    | 3 | 2     |                                        | yes     |
    | 4 | 2     | default rating (not active)            | yes     |
    | 5 | 3     |                                        | yes     |
    | 6 | 4     | bad, ticket open (not yet visited)     | yes     |
    | 7 | 5     | bad, visited and closed                | yes     |
    | 8 | 5     | appeal upheld (excluded)               | no      |
    | 9 | 4     | first rating of an occasion, superseded | no     |
    | 10| 2     | its second rating                      | yes     |

    Counted 8, active 7 (87.5 %), good 6 (75.0 %), bad 2, visited 1 (50.0 %), closed 1
    (50.0 %), points 5+5+4+4+3+2+1+4 = 28 → average 3.50."""
    make = Maker(officer.department)
    make("1")
    make("1")
    make("2")
    make("2", is_default=True)
    make("3")
    make("4", ticket=TicketState.OPEN)
    make("5", ticket=TicketState.CLOSED)
    make("5", ticket=TicketState.CLOSED, excluded=True)
    make("4", key="case:again", ticket=TicketState.OPEN, superseded=True)
    make("2", key="case:again", sequence=2)
    make.month = dt.date(2026, 4, 1)
    make("5", ticket=TicketState.OPEN)  # another month: not in March's figures
    return officer.department


@pytest.fixture
def neighbour(regions: None) -> Department:
    """Another department of 西峰区 with two good ratings in March (no bad ones)."""
    department = (
        Department.objects.filter(region_id="621002000000", kind="public_security")
        .order_by("pk")
        .first()
    )
    assert department is not None
    make = Maker(department)
    make("1")
    make("3")
    return department


def test_formulas_against_the_hand_computed_month(march: Department) -> None:
    total = indicator_total(month_from=MARCH, month_to=MARCH, department_id=march.pk)
    assert (total.total, total.active, total.bad) == (8, 7, 2)
    assert total.active_rate == rate("87.5")
    assert total.satisfaction_rate == rate("75.0")
    assert total.visit_rate == rate("50.0")
    assert total.rectification_rate == rate("50.0")
    assert total.average == rate("3.50")
    april = indicator_total(month_from=MARCH, month_to=dt.date(2026, 4, 1), department_id=march.pk)
    assert (april.total, april.bad, april.rectification_rate) == (9, 3, rate("33.3"))
    # The excluded and superseded ratings stay on record.
    assert Review.objects.filter(department=march, month=MARCH).count() == 10


def row_of(page: str, name: str) -> list[str]:
    for row in re.findall(r'<tr class="indicator-row">(.*?)</tr>', page, re.S):
        if f'<td class="name">{name}</td>' in row:
            return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"{name} not in the table")


def test_page_shows_the_figures_ranked_with_dashes(
    march: Department, neighbour: Department, supervisor: Staff
) -> None:
    response = login(supervisor).get(PAGE, {"from": "2026-03", "to": "2026-03"})
    assert response.status_code == 200
    page = response.content.decode()
    assert row_of(page, march.name) == [
        "2", march.name, "8", "87.5%", "75.0%", "2", "50.0%", "50.0%", "3.50",
    ]  # fmt: skip
    # No bad ratings: the bad-rating rates are “—”, not 0 % or 100 %.
    assert row_of(page, neighbour.name) == [
        "1", neighbour.name, "2", "100.0%", "100.0%", "0", "—", "—", "4.00",
    ]  # fmt: skip
    assert "差评整改率</strong> = 整改工单已办结的差评数" in page  # the formula is on the page
    trend = re.findall(r'<tr class="trend-row"><td>(\d{4}-\d{2})</td>', page)
    assert trend == [f"{m:%Y-%m}" for m in months_back(MARCH, 12)]


def test_groups_by_officer_matter_and_region(
    march: Department, supervisor: Staff, officer: Staff, matter: ImplementationItem
) -> None:
    Review.objects.filter(department=march).update(officer=officer, item=matter)
    client = login(supervisor)
    for group, name in (("officer", officer.name), ("item", matter.name), ("region", "西峰区")):
        page = client.get(PAGE, {"group": group, "from": "2026-03", "to": "2026-03"})
        assert page.status_code == 200
        assert row_of(page.content.decode(), name)[2:5] == ["8", "87.5%", "75.0%"]


def test_who_sees_which_figures(
    march: Department,
    neighbour: Department,
    approver: Staff,
    officer: Staff,
    other_supervisor: Staff,
) -> None:
    query = {"from": "2026-03", "to": "2026-03"}
    head = login(approver).get(PAGE, query).content.decode()
    assert march.name in head and neighbour.name not in head
    county = login(other_supervisor).get(PAGE, query)
    assert county.status_code == 200
    assert march.name not in county.content.decode()
    assert 'id="no-rows"' in county.content.decode()
    window = login(officer).get(PAGE, query)
    assert window.status_code == 403 and "电子监察员" in window.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"group": "city"}, "统计维度应为"),
        ({"from": "2026-13"}, "月份格式应为"),
        ({"to": "March"}, "月份格式应为"),
        ({"from": "2026-05", "to": "2026-03"}, "起始月份不能晚于截止月份"),
    ],
)
def test_bad_input_is_a_400_in_chinese(
    supervisor: Staff, query: dict[str, str], message: str
) -> None:
    response = login(supervisor).get(PAGE, query)
    assert response.status_code == 400 and message in response.content.decode()


def test_charts_are_inline_svg_with_titles(march: Department, supervisor: Staff) -> None:
    page = login(supervisor).get(PAGE, {"from": "2026-03", "to": "2026-03"}).content.decode()
    assert page.count('role="img"') == 2 and "<script" not in page.split("<main")[1]
    assert '<title id="chart-satisfaction-title">' in page
    assert f"{march.name}：75.0%" in page  # the bar's own title
    assert "2026-03 满意率：75.0%" in page  # the point's own title


# --- The chart drawing itself ------------------------------------------------------------------


def test_bar_chart_escapes_names_and_writes_no_rating_as_dash() -> None:
    svg = charts.bar_chart(
        chart_id="c",
        title="满意率 <测试>",
        bars=[("<b>局</b>", Decimal("96.5")), ("无评价局", None)],
    )
    assert "<b>" not in svg and "&lt;b&gt;局&lt;/b&gt;" in svg
    assert "&lt;b&gt;局&lt;/b&gt; 96.5%；无评价局 —" in svg  # the description
    assert "无评价局：无评价" in svg
    assert svg.count('class="bar"') == 2
    assert "暂无数据" in charts.bar_chart(chart_id="e", title="空", bars=[])


def test_line_chart_breaks_at_months_without_ratings() -> None:
    values = [Decimal("90"), Decimal("95"), None, Decimal("97"), Decimal("98")]
    svg = charts.line_chart(
        chart_id="t", title="趋势", labels=["1", "2", "3", "4", "5"],
        series=[charts.Series("满意率", values, "#000")],
    )  # fmt: skip
    assert svg.count("<polyline") == 2 and svg.count('class="point"') == 4
    assert "3 —" in svg  # the description names the gap
    assert ">80%<" in svg  # the axis starts below the lowest value, and says so


# --- A year of ratings costs the same queries ---------------------------------------------------


def year_of_ratings(
    departments: list[Department], officers: list[Staff], items: list[ImplementationItem], n: int
) -> None:
    months = months_back(timezone.localdate(), 12)
    offset = Review.objects.count()
    reviews = []
    for i in range(offset, offset + n):
        department, month = departments[i % len(departments)], months[i % 12]
        level = "45"[i % 2] if i % 9 == 0 else "1223"[i % 4]
        reviews.append(
            Review(
                occasion="online",
                occasion_key=f"perf:{i}",
                sequence=1,
                department=department,
                region_prefix=department.region_prefix,
                officer=officers[i % len(officers)],
                item=items[i % len(items)],
                channel=str(1 + i % 7),
                level=level,
                indicators=["efficiency"] if level != "1" and level != "2" else [],
                created_at=dt.datetime(month.year, month.month, 1 + i % 27, 10, tzinfo=SHANGHAI),
                month=month,
                is_default=i % 13 == 0,
            )
        )
    Review.objects.bulk_create(reviews, batch_size=500)
    states = [TicketState.OPEN, TicketState.VISITED, TicketState.HANDLED, TicketState.CLOSED]
    tickets = [
        Ticket(
            review=r,
            department_id=r.department_id,
            region_prefix=r.region_prefix,
            state=states[k % 4],
            opened_at=r.created_at,
            due_on=r.month + dt.timedelta(days=25),
            yellow_from=r.month + dt.timedelta(days=22),
            visited_at=r.created_at if k % 4 else None,
            closed_at=r.created_at if k % 4 == 3 else None,
        )
        for k, r in enumerate(
            Review.objects.filter(occasion_key__startswith="perf:", level__in=["4", "5"]).exclude(
                ticket__isnull=False
            )
        )
    ]
    Ticket.objects.bulk_create(tickets, batch_size=500)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_year_of_ratings_costs_the_same_few_queries(
    supervisor: Staff,
    approver: Staff,
    officer: Staff,
    colleague: Staff,
    matter: ImplementationItem,
    django_assert_max_num_queries: Any,
) -> None:
    departments = list(Department.objects.filter(region_prefix__startswith="621002")[:20])
    assert len(departments) == 20
    year = months_back(timezone.localdate(), 12)
    span = f"?from={year[0]:%Y-%m}&to={year[-1]:%Y-%m}"
    urls = [f"{PAGE}{span}&group={group}" for group in ("department", "officer", "item", "region")]
    urls.append(PAGE)
    staff = [officer, colleague, approver]
    year_of_ratings(departments, staff, [matter], 24)
    boss, head = login(supervisor), login(approver)
    for client in (boss, head):  # the first request of a session writes the session itself
        client.get("/workbench/reviews/tickets/")
    small = [queries(boss, u) for u in urls] + [queries(head, urls[0])]

    year_of_ratings(departments, staff, [matter], 3000)
    assert Review.objects.count() == 3024 and Ticket.objects.count() > 300
    large = [queries(boss, u) for u in urls] + [queries(head, urls[0])]
    assert large == small
    for url in urls:
        with django_assert_max_num_queries(15):
            boss.get(url)
    page = boss.get(urls[0]).content.decode()
    assert len(re.findall(r'<tr class="indicator-row">', page)) == 20
    table = indicator_table(group="department", month_from=year[0], month_to=year[-1])
    assert sum(row.indicators.total for row in table) == 3024
