"""Review services: one rating per occasion and the follow-up, reasons below 满意, default
ratings, invitations, the ticket state machine and its permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.cases.models import Case
from yiwang.notify.models import OutboxMessage
from yiwang.reviews import rules, services
from yiwang.reviews.errors import ReviewError
from yiwang.reviews.models import Invitation, Review, Ticket, TicketState
from yiwang.reviews.selectors import indicator_total
from yiwang.reviews.services import Rating

pytestmark = pytest.mark.django_db


def test_an_open_case_cannot_be_rated(case: Case, citizen: Person) -> None:
    with pytest.raises(ReviewError) as error:
        services.review_case(case=case, user=citizen.user, rating=Rating("1"))
    assert error.value.status == 409 and not Review.objects.exists()


def test_only_the_applicant_rates(finished: Case, other_citizen: Person) -> None:
    with pytest.raises(ReviewError) as error:
        services.review_case(case=finished, user=other_citizen.user, rating=Rating("1"))
    assert error.value.status == 404


@pytest.mark.parametrize("level", ["3", "4", "5"])
def test_below_satisfied_needs_a_reason(finished: Case, citizen: Person, level: str) -> None:
    with pytest.raises(ReviewError) as error:
        services.review_case(case=finished, user=citizen.user, rating=Rating(level))
    assert "indicators" in error.value.fields and not Review.objects.exists()


def test_second_evaluation_never_overwrites(finished: Case, citizen: Person) -> None:
    first = services.review_case(case=finished, user=citizen.user, rating=Rating("2"))
    second = services.review_case(
        case=finished, user=citizen.user, rating=Rating("4", ("efficiency",), "取证太慢")
    )
    first.refresh_from_db()
    assert (first.sequence, first.level, first.superseded) == (1, "2", True)
    assert (second.sequence, second.superseded) == (2, False)
    assert Ticket.objects.filter(review=second).exists()
    with pytest.raises(ReviewError) as third:
        services.review_case(case=finished, user=citizen.user, rating=Rating("1"))
    assert third.value.code == "too_many_evaluations"


def test_unknown_indicator_and_channel_refused(finished: Case, citizen: Person) -> None:
    with pytest.raises(ReviewError):
        services.review_case(case=finished, user=citizen.user, rating=Rating("1", ("nonsense",)))
    with pytest.raises(ReviewError):
        services.review_case(case=finished, user=citizen.user, rating=Rating("1"), channel="9")


def test_invitation_link_rates_without_login(finished: Case, sms_file: object) -> None:
    assert services.invitations_send() == 1
    assert services.invitations_send() == 0  # once per case
    invitation = Invitation.objects.get(case=finished)
    message = OutboxMessage.objects.get(template="review_invitation_link")
    assert f"/r/{invitation.code}" in message.text
    review = services.review_by_invitation(code=invitation.code, rating=Rating("1"))
    assert review.channel == "7" and review.rater == finished.applicant_user
    with pytest.raises(ReviewError):
        services.review_by_invitation(code="nope", rating=Rating("1"))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(ReviewError) as expired:
        services.review_by_invitation(code=invitation.code, rating=Rating("1"))
    assert expired.value.status == 404


def test_default_rating_after_the_window(finished: Case, settings: object) -> None:
    later = timezone.now() + dt.timedelta(days=6)
    assert services.reviews_default(now=timezone.now()) == 0  # not yet
    assert services.reviews_default(now=later) == 1
    review = Review.objects.get(case=finished)
    assert review.is_default and review.level == "2"
    assert not Ticket.objects.filter(review=review).exists()
    assert services.reviews_default(now=later) == 0
    totals = indicator_total(month_from=review.month, month_to=review.month)
    assert totals.total == 1 and totals.active == 0 and totals.active_rate == Decimal("0.0")


def test_ticket_walk_and_deadline(ticket: Ticket, officer: Staff, supervisor: Staff) -> None:
    opened = timezone.localtime(ticket.opened_at).date()
    assert ticket.due_on == services.ticket_deadline(opened)[0]
    services.ticket_visit(ticket=ticket, staff=officer, method="phone", note="已电话联系申请人")
    services.ticket_resolve(
        ticket=ticket, staff=officer, resolution="rectify_now", outcome="已对窗口人员批评教育"
    )
    services.ticket_close(ticket=ticket, supervisor=supervisor, note="整改到位")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions == ["opened", "visited", "resolved", "closed"]


def test_ticket_permissions(
    ticket: Ticket, other_officer: Staff, officer: Staff, other_supervisor: Staff
) -> None:
    with pytest.raises(ReviewError) as stranger:
        services.ticket_visit(ticket=ticket, staff=other_officer, method="phone", note="x")
    assert stranger.value.status == 404
    with pytest.raises(ReviewError) as not_head:
        services.ticket_appeal(ticket=ticket, staff=officer, reason="恶意差评")
    assert not_head.value.status == 403
    with pytest.raises(ReviewError):
        services.ticket_close(ticket=ticket, supervisor=officer)
    services.ticket_visit(ticket=ticket, staff=officer, method="visit", note="上门核实")
    services.ticket_resolve(ticket=ticket, staff=officer, resolution="explain", outcome="已解释")
    with pytest.raises(ReviewError) as elsewhere:
        services.ticket_close(ticket=ticket, supervisor=other_supervisor)
    assert elsewhere.value.status == 404


def test_upheld_appeal_removes_the_review_from_indicators(
    ticket: Ticket, approver: Staff, supervisor: Staff
) -> None:
    month = ticket.review.month
    assert indicator_total(month_from=month, month_to=month).bad == 1
    services.ticket_appeal(ticket=ticket, staff=approver, reason="申请人误评，已电话确认")
    services.ticket_appeal_decide(ticket=ticket, supervisor=supervisor, upheld=True, note="属实")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.appeal == "upheld"
    assert Review.objects.get(pk=ticket.review_id).excluded  # kept on record
    assert indicator_total(month_from=month, month_to=month).total == 0


def test_ledger_send_back_and_rejected_appeal(
    ticket: Ticket, officer: Staff, approver: Staff, supervisor: Staff
) -> None:
    services.ticket_appeal(ticket=ticket, staff=approver, reason="不属实")
    services.ticket_appeal_decide(ticket=ticket, supervisor=supervisor, upheld=False, note="不成立")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    with pytest.raises(ReviewError):
        services.ticket_appeal(ticket=ticket, staff=approver, reason="再次申诉")
    services.ticket_visit(ticket=ticket, staff=officer, method="phone", note="核实属实")
    with pytest.raises(ReviewError):  # a ledger deadline beyond the ticket's own
        services.ticket_resolve(
            ticket=ticket, staff=officer, resolution="ledger", outcome="优化流程",
            ledger_due_on=ticket.due_on + dt.timedelta(days=1),
        )  # fmt: skip
    services.ticket_resolve(ticket=ticket, staff=officer, resolution="ledger", outcome="优化流程")
    services.ticket_rectified(ticket=ticket, staff=officer, outcome="流程已优化")
    services.ticket_send_back(ticket=ticket, supervisor=supervisor, note="请补充整改证明")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.VISITED and ticket.sent_back == 1


def test_indicator_formulas_by_hand() -> None:
    counts = rules.Counts(
        total=10, active=9, level1=4, level2=3, level3=1, level4=1, level5=1,
        bad_visited=1, bad_rectified=1,
    )  # fmt: skip
    result = rules.indicators(counts)
    assert result.active_rate == Decimal("90.0")
    assert result.satisfaction_rate == Decimal("80.0")
    assert result.visit_rate == Decimal("50.0") and result.rectification_rate == Decimal("50.0")
    # (4×5 + 3×4 + 1×3 + 1×2 + 1×1) / 10 = 3.8
    assert result.average == Decimal("3.80")
    empty = rules.indicators(rules.Counts())
    assert empty.satisfaction_rate is None and empty.average is None


def test_leave_on_a_weekend_counts_for_nothing(officer: Staff, approver: Staff) -> None:
    from yiwang.reviews.selectors import assessment

    services.attendance_leave(manager=approver, staff=officer, day=dt.date(2025, 3, 1), note="事假")
    services.attendance_leave(manager=approver, staff=officer, day=dt.date(2025, 3, 3), note="事假")
    (row,) = assessment(department_id=officer.department_id, month=dt.date(2025, 3, 1))
    assert row.days_leave == 1  # Saturday 03-01 is not a working day; Monday 03-03 is
