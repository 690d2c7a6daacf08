"""The public page (好差评公示): a month's results per department and its closed rectifications,
open to anyone, with nothing about the rater and no staff names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import rid
from yiwang.cases.models import Case
from yiwang.reviews import services
from yiwang.reviews.models import Ticket
from yiwang.reviews.services import Rating

pytestmark = pytest.mark.django_db

PAGE = "/publicity/reviews/"
ID_IN_TEXT = rid("62100219850505123")  # not the citizen's: any ID number in a text is masked


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


@pytest.fixture
def closed(ticket: Ticket, officer: Staff, supervisor: Staff) -> Ticket:
    """The bad review's ticket, rectified at once and closed; the staff carry real-looking
    names so that the page can be searched for them."""
    Staff.objects.filter(pk=officer.pk).update(name="王窗口")
    Staff.objects.filter(pk=supervisor.pk).update(name="赵监察")
    officer.refresh_from_db()
    supervisor.refresh_from_db()
    services.ticket_visit(ticket=ticket, staff=officer, method="phone", note="已电话回访张三")
    services.ticket_resolve(
        ticket=ticket, staff=officer, resolution="rectify_now",
        outcome="已向申请人（电话 13800000011）致歉，并压缩审批时限",
    )  # fmt: skip
    return services.ticket_close(ticket=ticket, supervisor=supervisor, note="同意办结")


def test_month_shows_results_and_rectifications_without_personal_data(
    client: Client, closed: Ticket, citizen: Person, officer: Staff, supervisor: Staff
) -> None:
    response = client.get(PAGE, {"month": this_month()})
    assert response.status_code == 200
    page = response.content.decode()
    department = closed.department.name
    results = page.split('id="results"')[1].split("</section>")[0]
    assert f'<td class="name">{department}</td>' in results
    rectified = re.findall(r'<tr class="rectification">(.*?)</tr>', page, re.S)
    assert len(rectified) == 1
    row = rectified[0]
    assert department in row and "食品经营许可" in row and "立即整改" in row
    assert "138****0011" in row and "压缩审批时限" in row
    assert f"{timezone.localdate():%Y-%m-%d}" in row
    # Nothing that names or reaches the rater or the staff.
    for secret in (
        citizen.name, citizen.phone, citizen.resident_id, "张*", officer.name, supervisor.name,
        officer.user.username, supervisor.user.username, "办理太慢，窗口态度差", "已电话回访",
    ):  # fmt: skip
        assert secret not in page, secret
    assert "满意率</strong> =（非常满意 + 满意 + 基本满意）" in page


def test_outcome_text_is_masked(client: Client, closed: Ticket) -> None:
    Ticket.objects.filter(pk=closed.pk).update(outcome=f"核实身份证 {ID_IN_TEXT} 后已办结")
    page = client.get(PAGE, {"month": this_month()}).content.decode()
    assert ID_IN_TEXT not in page and f"621002********{ID_IN_TEXT[-4:]}" in page


def test_only_closed_and_counted_tickets_are_published(
    client: Client,
    ticket: Ticket,
    approver: Staff,
    supervisor: Staff,
) -> None:
    page = client.get(PAGE).content.decode()
    assert 'id="no-rectifications"' in page  # open: not yet published
    services.ticket_appeal(ticket=ticket, staff=approver, reason="误评")
    services.ticket_appeal_decide(ticket=ticket, supervisor=supervisor, upheld=True, note="属实")
    from django.core.cache import cache

    cache.clear()
    page = client.get(PAGE).content.decode()
    assert 'id="no-rectifications"' in page  # an upheld appeal is not a rectification
    assert 'id="no-results"' in page  # and the review does not count


def test_county_filter(client: Client, closed: Ticket) -> None:
    department = closed.department.name
    xifeng = client.get(PAGE, {"month": this_month(), "region": "621002000000"})
    assert xifeng.status_code == 200 and department in xifeng.content.decode()
    qingcheng = client.get(PAGE, {"month": this_month(), "region": "621021000000"}).content
    assert department not in qingcheng.decode()
    assert 'id="no-rectifications"' in qingcheng.decode()
    assert client.get(PAGE, {"region": "999999999999"}).status_code == 404


def test_month_picker_and_bad_month(client: Client, closed: Ticket) -> None:
    old = client.get(PAGE, {"month": "2020-01"})
    assert old.status_code == 200
    text = old.content.decode()
    assert 'id="no-results"' in text and "2020 年 1 月" in text
    assert 'id="previous-month"' in text and "month=2019-12" in text
    assert "month=2020-02" in text
    now = client.get(PAGE).content.decode()  # the current month by default
    assert closed.department.name in now and 'id="next-month"' not in now
    bad = client.get(PAGE, {"month": "2025-13"})
    assert bad.status_code == 400 and "月份格式应为" in bad.content.decode()


def test_figures_are_cached_for_a_while(
    client: Client, finished: Case, citizen: Person, django_assert_max_num_queries: object
) -> None:
    services.review_case(case=finished, user=citizen.user, rating=Rating("1"))
    first = client.get(PAGE).content.decode()
    assert re.search(r'<td class="num">1</td><td class="num">100.0%</td>', first)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        second = client.get(PAGE).content.decode()

    def main(page: str) -> str:
        return page.split("<main")[1].split("</main>")[0]

    assert main(second) == main(first)


def test_footer_links_the_public_page(client: Client, regions: None) -> None:
    page = client.get(PAGE).content.decode()
    assert f'href="{PAGE}" id="footer-reviews"' in page


def test_rectification_of_the_previous_month_is_not_this_months(
    client: Client, closed: Ticket
) -> None:
    earlier = timezone.now() - dt.timedelta(days=40)
    Ticket.objects.filter(pk=closed.pk).update(closed_at=earlier)
    page = client.get(PAGE).content.decode()
    assert 'id="no-rectifications"' in page
    month = f"{timezone.localtime(earlier):%Y-%m}"
    assert closed.department.name in client.get(PAGE, {"month": month}).content.decode()
