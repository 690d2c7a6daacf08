"""The rectification tickets on the workbench: the list and its lights, a ticket page with one
form per action the viewer may take, each state transition through the pages (visit → rectify at
once → close; ledger → rectified → close; send back; appeals), refusals that change nothing,
deadlines over the National Day holiday, and who may see what."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.tests.conftest import CITY, _staff
from yiwang.cases.models import Case
from yiwang.cases.tests.test_workbench import login
from yiwang.reviews import services
from yiwang.reviews.models import Review, Ticket, TicketEvent, TicketState
from yiwang.reviews.selectors import indicator_total, ticket_light
from yiwang.reviews.services import Rating

pytestmark = pytest.mark.django_db

TICKETS = "/workbench/reviews/tickets/"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def url(ticket: Ticket, tail: str = "") -> str:
    return f"{TICKETS}{ticket.pk}/{tail}"


def act(client: Client, ticket: Ticket, action: str, **data: Any) -> Any:
    return client.post(url(ticket, f"act/{action}/"), {f"{action}-{k}": v for k, v in data.items()})


def listed(client: Client, query: str = "") -> set[int]:
    response = client.get(TICKETS + query)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-ticket="(\d+)"', response.content.decode())}


def state_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).state


def forms_on(client: Client, ticket: Ticket) -> set[str]:
    page = client.get(url(ticket)).content.decode()
    return set(re.findall(r'id="action-([a-z_]+)"', page))


# --- The list, the page, the scope ---------------------------------------------------------------


def test_department_and_supervisor_see_the_ticket_others_do_not(
    ticket: Ticket,
    officer: Staff,
    colleague: Staff,
    supervisor: Staff,
    other_officer: Staff,
    other_supervisor: Staff,
) -> None:
    for staff in (officer, colleague, supervisor):
        assert ticket.pk in listed(login(staff)), staff
    for staff in (other_officer, other_supervisor):
        client = login(staff)
        assert ticket.pk not in listed(client)
        assert client.get(url(ticket)).status_code == 404
    # A county supervisor's view is the county; a city supervisor sees the whole city.
    city = _staff("citysup", CITY, "government_services", "13900000044", Role.SUPERVISOR)
    assert ticket.pk in listed(login(city))


def test_list_needs_the_workbench_login(client: Client, ticket: Ticket) -> None:
    response = client.get(TICKETS)
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]


def test_ticket_page_shows_the_review_with_the_rater_masked(
    ticket: Ticket, officer: Staff, supervisor: Staff, citizen: Person
) -> None:
    page = login(officer).get(url(ticket)).content.decode()
    assert "非常不满意" in page and "办事效率" in page and "办理太慢，窗口态度差" in page
    assert "张*" in page and "138****0011" in page
    assert citizen.name not in page and citizen.phone not in page
    assert citizen.resident_id not in page
    case = ticket.review.case
    assert case is not None
    assert f'href="/workbench/cases/{case.pk}/"' in page
    assert 'id="action-visit"' in page and "绿灯·正常" in page
    # The supervisor sees the ticket but not the department's case page.
    page = login(supervisor).get(url(ticket)).content.decode()
    assert case.number in page and f"/workbench/cases/{case.pk}/" not in page
    assert "张*" in page and citizen.phone not in page


def test_forms_follow_state_and_role(
    ticket: Ticket, officer: Staff, approver: Staff, supervisor: Staff
) -> None:
    assert forms_on(login(officer), ticket) == {"visit"}
    assert forms_on(login(approver), ticket) == {"visit", "appeal"}
    assert forms_on(login(supervisor), ticket) == set()


def test_list_query_count_does_not_grow(
    ticket: Ticket,
    finished: Case,
    officer: Staff,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(officer)
    with django_assert_max_num_queries(10):
        assert listed(client) == {ticket.pk}
    review = ticket.review
    for n in range(30):
        more = Review.objects.create(
            occasion=review.occasion, occasion_key=f"case:x{n}", case=None,
            department_id=review.department_id, region_prefix=review.region_prefix,
            channel="1", level="4", indicators=["efficiency"], created_at=review.created_at,
            month=review.month,
        )  # fmt: skip
        services._ticket_open(more, now=timezone.now())
    with django_assert_max_num_queries(10):
        assert len(listed(client)) == 31


# --- Walking a ticket through the pages ----------------------------------------------------------


def test_visit_rectify_at_once_and_close(
    ticket: Ticket, officer: Staff, supervisor: Staff, citizen: Person
) -> None:
    window = login(officer)
    response = act(window, ticket, "visit", method="phone", note="电话联系申请人，情况属实")
    assert response.status_code == 302 and state_of(ticket) == TicketState.VISITED
    assert forms_on(window, ticket) == {"resolve"}

    response = act(
        window, ticket, "resolve", resolution="rectify_now", outcome="已约谈窗口人员并道歉"
    )
    assert response.status_code == 302 and state_of(ticket) == TicketState.HANDLED
    assert forms_on(window, ticket) == set()

    # Only the supervisor closes.
    refused = act(window, ticket, "close", note="")
    assert refused.status_code == 403 and "电子监察员" in refused.content.decode()
    assert state_of(ticket) == TicketState.HANDLED
    boss = login(supervisor)
    assert forms_on(boss, ticket) == {"close", "send_back"}
    assert act(boss, ticket, "close", note="整改到位").status_code == 302
    assert state_of(ticket) == TicketState.CLOSED

    page = boss.get(url(ticket)).content.decode()
    assert 'id="ticket-state">已办结' in page and "立即整改" in page
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["opened", "visited", "resolved", "closed"]
    total = indicator_total(month_from=ticket.review.month, month_to=ticket.review.month)
    assert (total.visit_rate, total.rectification_rate) == (100, 100)


def test_ledger_then_rectified_then_close(
    ticket: Ticket, colleague: Staff, supervisor: Staff
) -> None:
    reviewer = login(colleague)
    act(reviewer, ticket, "visit", method="visit", note="上门核实")
    too_late = ticket.due_on + dt.timedelta(days=1)
    refused = act(
        reviewer, ticket, "resolve", resolution="ledger", outcome="优化流程",
        ledger_due_on=too_late.isoformat(),
    )  # fmt: skip
    assert refused.status_code == 400 and "台账整改期限应在今天至" in refused.content.decode()
    assert state_of(ticket) == TicketState.VISITED

    deadline = timezone.localdate() + dt.timedelta(days=3)
    response = act(
        reviewer, ticket, "resolve", resolution="ledger", outcome="两周内优化材料清单",
        ledger_due_on=deadline.isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.state, saved.ledger_due_on) == (TicketState.RECTIFYING, deadline)
    assert forms_on(reviewer, ticket) == {"rectified"}

    assert act(reviewer, ticket, "rectified", outcome="材料清单已精简").status_code == 302
    assert state_of(ticket) == TicketState.HANDLED
    assert act(login(supervisor), ticket, "close").status_code == 302
    assert state_of(ticket) == TicketState.CLOSED


def test_supervisor_sends_back(ticket: Ticket, officer: Staff, supervisor: Staff) -> None:
    window = login(officer)
    act(window, ticket, "visit", method="sms", note="短信回访")
    act(window, ticket, "resolve", resolution="explain", outcome="已解释办理时限规定")
    boss = login(supervisor)
    empty = act(boss, ticket, "send_back", note="  ")
    assert empty.status_code == 400 and "请填写退回理由" in empty.content.decode()
    assert state_of(ticket) == TicketState.HANDLED
    assert act(boss, ticket, "send_back", note="解释不充分，请整改").status_code == 302
    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.state, saved.sent_back) == (TicketState.VISITED, 1)
    assert forms_on(window, ticket) == {"resolve"}


def test_upheld_appeal_removes_the_review_from_indicators_but_keeps_it(
    ticket: Ticket, officer: Staff, approver: Staff, supervisor: Staff
) -> None:
    month = ticket.review.month
    assert indicator_total(month_from=month, month_to=month).bad == 1
    # A window officer may not appeal; the department head may.
    refused = act(login(officer), ticket, "appeal", reason="恶意差评")
    assert refused.status_code == 403 and state_of(ticket) == TicketState.OPEN
    head = login(approver)
    assert act(head, ticket, "appeal", reason="评价人未办理该事项，系误评").status_code == 302
    assert state_of(ticket) == TicketState.APPEALED
    assert forms_on(head, ticket) == set()
    boss = login(supervisor)
    assert forms_on(boss, ticket) == {"decide"}
    unanswered = act(boss, ticket, "decide", note="核实属实")
    assert unanswered.status_code == 400 and "请选择复核结论" in unanswered.content.decode()
    assert act(boss, ticket, "decide", upheld="yes", note="核实属实").status_code == 302

    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.state, saved.appeal) == (TicketState.CLOSED, "upheld")
    review = Review.objects.get(pk=ticket.review_id)  # kept on record
    assert review.excluded and review.level == "5"
    total = indicator_total(month_from=month, month_to=month)
    assert (total.total, total.bad) == (0, 0)
    page = boss.get(url(ticket)).content.decode()
    assert "申诉成立，不计入指标" in page


def test_rejected_appeal_returns_the_ticket(
    ticket: Ticket, officer: Staff, approver: Staff, supervisor: Staff
) -> None:
    head = login(approver)
    act(head, ticket, "visit", method="phone", note="已回访")
    act(head, ticket, "appeal", reason="评价与事实不符")
    assert ticket_light(Ticket.objects.get(pk=ticket.pk)) == "paused"
    assert act(login(supervisor), ticket, "decide", upheld="no", note="差评有据").status_code == 302
    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.state, saved.appeal) == (TicketState.VISITED, "rejected")
    assert not Review.objects.get(pk=ticket.review_id).excluded
    # One appeal per ticket.
    assert forms_on(head, ticket) == {"resolve"}
    again = act(head, ticket, "appeal", reason="再次申诉")
    assert again.status_code == 409 and "已申诉过" in again.content.decode()
    assert state_of(ticket) == TicketState.VISITED


# --- Refusals change nothing ----------------------------------------------------------------------


def test_bad_input_is_refused_in_chinese(ticket: Ticket, officer: Staff) -> None:
    window = login(officer)
    no_note = act(window, ticket, "visit", method="phone", note="")
    assert no_note.status_code == 400 and "请填写回访情况" in no_note.content.decode()
    no_method = act(window, ticket, "visit", method="", note="已联系")
    assert no_method.status_code == 400 and "请选择回访方式" in no_method.content.decode()
    unknown = act(window, ticket, "visit", method="fax", note="已联系")
    assert unknown.status_code == 400
    wrong_state = act(window, ticket, "resolve", resolution="rectify_now", outcome="已整改")
    assert wrong_state.status_code == 409 and "不能处理" in wrong_state.content.decode()
    assert window.post(url(ticket, "act/nonsense/")).status_code == 404
    assert window.get(url(ticket, "act/visit/")).status_code == 405
    assert state_of(ticket) == TicketState.OPEN
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_another_department_cannot_act(
    ticket: Ticket, other_officer: Staff, other_supervisor: Staff, officer: Staff
) -> None:
    assert act(login(other_officer), ticket, "visit", method="phone", note="x").status_code == 404
    act(login(officer), ticket, "visit", method="phone", note="已回访")
    act(login(officer), ticket, "resolve", resolution="rectify_now", outcome="已整改")
    assert act(login(other_supervisor), ticket, "close").status_code == 404
    assert state_of(ticket) == TicketState.HANDLED


# --- Deadlines and lights ------------------------------------------------------------------------


def test_deadline_counts_working_days_over_national_day() -> None:
    # 2025-09-28 (a Sunday worked in exchange) + 15 working days, skipping 1–8 October and
    # counting Saturday 11 October (worked in exchange): Friday 24 October.
    due, yellow = services.ticket_deadline(dt.date(2025, 9, 28))
    assert due == dt.date(2025, 10, 24)
    assert dt.date(2025, 10, 9) < yellow <= due


def test_ticket_opened_before_national_day(
    finished: Case, citizen: Person, officer: Staff, supervisor: Staff
) -> None:
    opened = dt.datetime(2025, 9, 28, 10, 0, tzinfo=SHANGHAI)
    review = services.review_case(
        case=finished, user=citizen.user, rating=Rating("4", ("efficiency",), "跑了两次"),
        now=opened,
    )  # fmt: skip
    ticket = review.ticket
    assert (ticket.due_on, ticket.yellow_from) == services.ticket_deadline(dt.date(2025, 9, 28))
    assert ticket.due_on == dt.date(2025, 10, 24)
    assert ticket_light(ticket, today=dt.date(2025, 10, 9)) == "green"
    assert ticket_light(ticket, today=ticket.yellow_from) == "yellow"
    assert ticket_light(ticket, today=ticket.due_on) == "yellow"
    assert ticket_light(ticket, today=dt.date(2025, 10, 25)) == "red"

    # Long past its deadline today: red in the list, on the page, and in supervision.
    window = login(officer)
    assert listed(window, "?light=red") == {ticket.pk}
    assert listed(window, "?light=green") == set()
    assert "红灯·超期" in window.get(url(ticket)).content.decode()
    assert 'id="due-on">2025-10-24' in window.get(url(ticket)).content.decode()
    page = login(supervisor).get("/workbench/reviews/supervision/").content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert f'data-ticket="{ticket.pk}"' in overdue


def test_light_filters_and_closed_tickets(
    ticket: Ticket, officer: Staff, supervisor: Staff
) -> None:
    window = login(officer)
    assert listed(window, "?light=green") == {ticket.pk}
    assert listed(window, "?light=red") == set()
    act(window, ticket, "visit", method="phone", note="已回访")
    act(window, ticket, "resolve", resolution="rectify_now", outcome="已整改")
    act(login(supervisor), ticket, "close")
    assert listed(window) == set()  # the default list shows what is not closed
    assert listed(window, "?state=closed") == {ticket.pk}
    assert listed(window, "?state=") == {ticket.pk}
    assert ticket_light(Ticket.objects.get(pk=ticket.pk)) == "none"


# --- Supervision --------------------------------------------------------------------------------


def test_supervision_page_is_for_supervisors_of_the_region(
    ticket: Ticket, officer: Staff, supervisor: Staff, other_supervisor: Staff
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(
        due_on=timezone.localdate() + dt.timedelta(days=1),
        yellow_from=timezone.localdate() - dt.timedelta(days=1),
    )
    page = login(supervisor).get("/workbench/reviews/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    yellow = text.split('id="yellow"')[1].split("</section>")[0]
    assert f'data-ticket="{ticket.pk}"' in yellow
    counts = text.split('id="departments"')[1].split("</section>")[0]
    assert ticket.department.name in counts
    assert login(officer).get("/workbench/reviews/supervision/").status_code == 403
    other = login(other_supervisor).get("/workbench/reviews/supervision/").content.decode()
    assert f'data-ticket="{ticket.pk}"' not in other


# --- Two people at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_officers_visiting_at_once_record_one_visit(
    ticket: Ticket, officer: Staff, colleague: Staff
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    clients = [login(officer), login(colleague)]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def visit(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(act(client, ticket, "visit", method="phone", note="已回访").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409]
    assert TicketEvent.objects.filter(ticket=ticket, action="visited").count() == 1
