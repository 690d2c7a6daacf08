"""The web rating channels: the portal (PC端) for the applicant, and the SMS link / QR code
(`/r/<code>`, no login); the 评价 panel on the case page and the link on the progress page;
the staff list of tablet addresses. Each rating is recorded with its channel code; a refusal
shows its Chinese message and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.clients import staff_client
from yiwang.cases import services as cases
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import FORM_DATA, accepted_case, uploads
from yiwang.catalog.models import ImplementationItem
from yiwang.core.models import AuditRecord
from yiwang.regions.models import Window
from yiwang.reviews import services
from yiwang.reviews.errors import ReviewErrorCode
from yiwang.reviews.models import Invitation, Review, Ticket
from yiwang.reviews.services import Rating
from yiwang.reviews.tests.conftest import finish

pytestmark = pytest.mark.django_db

RULE = "请至少选择一项不满意的方面"


def citizen_client(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def rate_url(case: Case) -> str:
    return f"/reviews/cases/{case.pk}/"


def text(response: Any) -> str:
    return response.content.decode()


# --- The portal (PC端) ------------------------------------------------------------------------


def test_the_form_offers_the_five_levels_the_online_indicators_and_the_rule(
    finished: Case, citizen: Person
) -> None:
    page = text(citizen_client(citizen).get(rate_url(finished)))
    for code, label in [("1", "非常满意"), ("2", "满意"), ("3", "基本满意"), ("4", "不满意"),
                        ("5", "非常不满意")]:  # fmt: skip
        assert f'value="{code}"' in page and label in page
    for code in ("efficiency", "guide_accuracy", "convenience", "usability"):
        assert f'name="indicators" value="{code}"' in page
    assert "评价为基本满意、不满意、非常不满意时，请至少选择一项不满意的方面" in page
    assert "提交评价" in page


def test_a_rating_on_the_portal_is_recorded_with_channel_pc_and_shown(
    finished: Case, citizen: Person
) -> None:
    client = citizen_client(citizen)
    response = client.post(
        rate_url(finished), {"level": "1", "indicators": ["efficiency"], "text": "很快"}
    )
    assert response.status_code == 302
    review = Review.objects.get(case=finished)
    assert (review.channel, review.level, review.sequence, review.occasion) == (
        "1", "1", 1, "online",
    )  # fmt: skip
    assert review.rater_id == citizen.user.pk and review.indicators == ["efficiency"]
    page = text(client.get(rate_url(finished)))
    assert "感谢您的评价" in page and "非常满意" in page and "办事效率" in page and "很快" in page
    assert "追加评价" in page  # one more may be given
    assert not Ticket.objects.exists()


def test_below_satisfied_without_a_reason_is_refused_and_writes_nothing(
    finished: Case, citizen: Person
) -> None:
    for level in ("3", "4", "5"):
        response = citizen_client(citizen).post(rate_url(finished), {"level": level, "text": "差"})
        assert response.status_code == 400
        assert RULE in text(response)
    response = citizen_client(citizen).post(rate_url(finished), {"text": "没选"})
    assert response.status_code == 400 and "请选择满意程度" in text(response)
    response = citizen_client(citizen).post(rate_url(finished), {"level": "1", "indicators": "x"})
    assert response.status_code == 400 and "评价指标不正确" in text(response)
    assert not Review.objects.exists() and not Ticket.objects.exists()


def test_a_bad_rating_on_the_portal_opens_a_ticket(finished: Case, citizen: Person) -> None:
    citizen_client(citizen).post(
        rate_url(finished), {"level": "5", "indicators": ["efficiency"], "text": "太慢"}
    )
    ticket = Ticket.objects.get()
    assert ticket.review.channel == "1" and ticket.department_id == finished.department_id


def test_the_second_evaluation_is_a_new_row_and_a_third_is_refused(
    finished: Case, citizen: Person
) -> None:
    client = citizen_client(citizen)
    client.post(rate_url(finished), {"level": "2"})
    page = text(client.get(rate_url(finished)))
    assert "提交追加评价" in page and "不会覆盖原评价" in page

    response = client.post(rate_url(finished), {"level": "4", "indicators": ["convenience"]})
    assert response.status_code == 302
    first, second = Review.objects.filter(case=finished).order_by("sequence")
    assert (first.sequence, first.level, first.superseded) == (1, "2", True)  # kept as it was
    assert (second.sequence, second.level, second.superseded) == (2, "4", False)
    assert Ticket.objects.get().review == second

    response = client.post(rate_url(finished), {"level": "1"})
    assert response.status_code == 409
    assert ReviewErrorCode.TOO_MANY.message in text(response)
    assert Review.objects.filter(case=finished).count() == 2
    page = text(client.get(rate_url(finished)))
    assert ReviewErrorCode.TOO_MANY.message in page and 'id="rating-form"' not in page


def test_someone_elses_case_is_404_and_nothing_is_written(
    finished: Case, other_citizen: Person
) -> None:
    client = citizen_client(other_citizen)
    assert client.get(rate_url(finished)).status_code == 404
    assert client.post(rate_url(finished), {"level": "1"}).status_code == 404
    assert client.get("/reviews/cases/999999/").status_code == 404
    assert not Review.objects.exists()


def test_the_page_needs_a_login(finished: Case) -> None:
    response = Client().get(rate_url(finished))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_unfinished_case_cannot_be_rated_yet(
    citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    case = accepted_case(citizen, matter, officer)
    client = citizen_client(citizen)
    page = text(client.get(rate_url(case)))
    assert "办件办结后才能评价" in page and 'id="rating-form"' not in page
    response = client.post(rate_url(case), {"level": "1"})
    assert response.status_code == 409 and "办件办结后才能评价" in text(response)
    assert not Review.objects.exists()


def test_the_case_page_links_to_the_rating_and_shows_the_ratings(
    finished: Case, citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    client = citizen_client(citizen)
    page = text(client.get(f"/cases/{finished.pk}/"))
    assert f'href="/reviews/cases/{finished.pk}/"' in page and 'id="case-ratings"' in page
    services.review_case(
        case=finished, user=citizen.user, rating=Rating("5", ("usability",), "系统难用")
    )
    page = text(client.get(f"/cases/{finished.pk}/"))
    assert "非常不满意" in page and "平台操作性" in page and "系统难用" in page
    assert "追加评价" in page

    unfinished = accepted_case(citizen, matter, officer)
    page = text(client.get(f"/cases/{unfinished.pk}/"))
    assert 'id="case-ratings"' not in page and "/reviews/cases/" not in page


# --- The SMS link and the QR code -------------------------------------------------------------


def test_the_sms_link_rates_without_login_with_channel_sms(finished: Case, citizen: Person) -> None:
    invitation = services.invitation_for(finished)
    client = Client()
    page = text(client.get(f"/r/{invitation.code}"))
    assert finished.item.name in page and "短信" in page
    assert citizen.name not in page and citizen.phone not in page
    response = client.post(f"/r/{invitation.code}", {"level": "2", "text": "不错"})
    assert response.status_code == 302 and response["Location"] == f"/r/{invitation.code}"
    review = Review.objects.get(case=finished)
    assert (review.channel, review.level, review.rater_id) == ("7", "2", citizen.user.pk)
    page = text(client.get(f"/r/{invitation.code}"))
    assert "感谢您的评价" in page and "满意" in page
    assert "不错" not in page  # the text stays off a page anyone with the link may open


def test_the_qr_code_marks_the_qr_channel(finished: Case) -> None:
    code = services.invitation_for(finished).code
    client = Client()
    assert "二维码" in text(client.get(f"/r/{code}?via=qr"))
    response = client.post(f"/r/{code}?via=qr", {"level": "1"})
    assert response["Location"] == f"/r/{code}?via=qr"
    assert Review.objects.get(case=finished).channel == "3"


def test_a_bad_rating_by_the_link_opens_a_ticket_and_the_rule_holds(finished: Case) -> None:
    code = services.invitation_for(finished).code
    response = Client().post(f"/r/{code}", {"level": "4"})
    assert response.status_code == 400 and RULE in text(response)
    assert not Review.objects.exists()
    Client().post(f"/r/{code}", {"level": "4", "indicators": ["guide_accuracy"]})
    assert Ticket.objects.get().review.channel == "7"


def test_an_unknown_or_expired_code_is_404_with_the_message(finished: Case) -> None:
    invitation = services.invitation_for(finished)
    missing = Client().get("/r/nosuchcode")
    assert missing.status_code == 404
    assert ReviewErrorCode.INVITATION_INVALID.message in text(missing)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    for response in (
        Client().get(f"/r/{invitation.code}"),
        Client().post(f"/r/{invitation.code}", {"level": "1"}),
    ):
        assert response.status_code == 404
        assert ReviewErrorCode.INVITATION_INVALID.message in text(response)
    assert not Review.objects.exists()


def test_the_link_allows_one_follow_up_and_refuses_a_third(finished: Case, citizen: Person) -> None:
    services.review_case(case=finished, user=citizen.user, rating=Rating("1"))
    code = services.invitation_for(finished).code
    assert Client().post(f"/r/{code}", {"level": "2"}).status_code == 302
    refused = Client().post(f"/r/{code}", {"level": "2"})
    assert refused.status_code == 409
    assert ReviewErrorCode.TOO_MANY.message in text(refused)
    assert list(Review.objects.order_by("sequence").values_list("channel", "superseded")) == [
        ("1", True), ("7", False),
    ]  # fmt: skip


# --- The progress page links to the rating ----------------------------------------------------


def test_the_progress_page_of_a_finished_case_links_to_the_rating(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff,
    approver: Staff,
) -> None:  # fmt: skip
    draft = cases.case_draft_save(user=citizen.user, item=matter, form_data=dict(FORM_DATA))
    for upload in uploads(1, 2):
        cases.case_material_add(case=draft, user=citizen.user, upload=upload)
    submitted = cases.case_submit(case=draft, user=citizen.user)
    case, password = submitted.case, submitted.query_password
    query = {"number": case.number, "password": password}

    page = text(Client().post("/cases/progress/", query))
    assert "评价本次服务" not in page and not Invitation.objects.exists()

    cases.case_accept(case=case, officer=officer, opinion="材料齐全")
    finish(case, colleague, approver)
    page = text(Client().post("/cases/progress/", query))
    code = Invitation.objects.get(case=case).code
    assert "评价本次服务" in page and f'href="/r/{code}"' in page


# --- The tablet addresses (staff) -------------------------------------------------------------


def test_admins_and_supervisors_list_their_regions_tablet_addresses(
    window: Window, sysadmin: Staff, supervisor: Staff, other_supervisor: Staff
) -> None:
    token = services.tablet_token(window)
    page = text(staff_client(sysadmin).get("/reviews/tablets/"))
    assert f"/reviews/tablet/{window.pk}/{token}/" in page
    city_rows = page.count("<tr data-window=")
    page = text(staff_client(supervisor).get("/reviews/tablets/"))
    assert f"/reviews/tablet/{window.pk}/{token}/" in page
    assert 0 < page.count("<tr data-window=") < city_rows
    page = text(staff_client(other_supervisor).get("/reviews/tablets/"))
    assert f"/reviews/tablet/{window.pk}/" not in page  # another county's window
    shown = AuditRecord.objects.filter(action="review.tablet_addresses_shown").order_by("seq")
    assert [r.actor for r in shown] == [
        s.user.username for s in (sysadmin, supervisor, other_supervisor)
    ]


def test_other_staff_may_not_list_tablet_addresses(window: Window, officer: Staff) -> None:
    response = staff_client(officer).get("/reviews/tablets/")
    assert response.status_code == 403 and "系统管理员" in text(response)
    assert services.tablet_token(window) not in text(response)
    assert not AuditRecord.objects.filter(action="review.tablet_addresses_shown").exists()
    anonymous = Client().get("/reviews/tablets/")
    assert anonymous.status_code == 302 and "/workbench/login/" in anonymous["Location"]
