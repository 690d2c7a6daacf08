"""The review API for app / WeChat / Alipay clients (移动端) and the SMS link / QR code: response
shapes, who may rate what (404 out of scope), refused bodies (`{code, message, fields}` in
Chinese, nothing written), second evaluations, and the query count of the list endpoints."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts.models import Person, Staff, User
from yiwang.accounts.services import api_token_issue
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import accepted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.reviews import services
from yiwang.reviews.models import Invitation, Review, Ticket
from yiwang.reviews.services import Rating

pytestmark = pytest.mark.django_db

BASE = "/api/reviews"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
REVIEW_KEYS = {
    "id", "occasion", "sequence", "level", "level_label", "channel", "channel_label",
    "indicators", "text", "is_default", "superseded", "created_at",
}  # fmt: skip


def bearer(user: User) -> dict[str, str]:
    _, access, _ = api_token_issue(user=user, client="app")
    return {"Authorization": f"Bearer {access}"}


def post(path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(BASE + path, data=data, content_type="application/json", headers=headers)


def get(path: str, headers: dict[str, str] | None = None) -> Any:
    return Client().get(BASE + path, headers=headers)


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with a Chinese message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert CHINESE.search(body["message"]), body
    if code is not None:
        assert body["code"] == code, body
    return body


def test_options_list_levels_channels_and_indicator_sets() -> None:
    with CaptureQueriesContext(connection) as queries:
        response = get("/options")
    assert response.status_code == 200 and len(queries) == 0
    body = response.json()
    assert [(lv["code"], lv["label"], lv["needs_reason"]) for lv in body["levels"]] == [
        ("1", "非常满意", False), ("2", "满意", False), ("3", "基本满意", True),
        ("4", "不满意", True), ("5", "非常不满意", True),
    ]  # fmt: skip
    assert [c["code"] for c in body["channels"]] == list("1234567")
    assert body["channels"][3]["label"] == "政务大厅平板"
    assert [i["label"] for i in body["indicators"]["online"]] == [
        "办事效率", "办事指南准确度", "办事便捷度", "平台操作性",
    ]  # fmt: skip
    assert [i["code"] for i in body["indicators"]["on_site"]] == [
        "service_efficiency", "service_level", "service_attitude",
    ]  # fmt: skip
    assert (body["max_evaluations"], body["text_max_length"]) == (2, 500)


def test_the_applicant_rates_by_the_app_with_channel_mobile(
    finished: Case, citizen: Person
) -> None:
    response = post(
        f"/cases/{finished.pk}",
        {"level": "1", "indicators": ["convenience"], "text": "方便"},
        bearer(citizen.user),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == REVIEW_KEYS
    assert (body["channel"], body["channel_label"], body["sequence"]) == ("2", "移动端", 1)
    assert body["indicators"] == [{"code": "convenience", "label": "办事便捷度"}]
    assert body["level_label"] == "非常满意" and body["occasion"] == "online"
    review = Review.objects.get()
    assert (review.channel, review.rater_id, review.case_id) == ("2", citizen.user.pk, finished.pk)


def test_the_case_evaluations_list_its_shape_and_query_count(
    finished: Case, citizen: Person
) -> None:
    headers = bearer(citizen.user)
    with CaptureQueriesContext(connection) as empty:
        body = get(f"/cases/{finished.pk}", headers).json()
    assert body == {
        "case_id": finished.pk, "case_number": finished.number, "finished": True,
        "can_rate": True, "evaluations_left": 2, "items": [],
    }  # fmt: skip
    services.review_case(case=finished, user=citizen.user, rating=Rating("2"))
    services.review_case(
        case=finished, user=citizen.user, rating=Rating("4", ("efficiency",), "慢")
    )
    with CaptureQueriesContext(connection) as queries:
        response = get(f"/cases/{finished.pk}", headers)
    body = response.json()
    assert response.status_code == 200
    # the token, the person, the case with its related rows, the applicant check, the reviews:
    # the same few queries however many evaluations there are
    assert len(queries) == len(empty) <= 5, [q["sql"] for q in queries]
    assert (body["can_rate"], body["evaluations_left"]) == (False, 0)
    assert [(i["sequence"], i["level"], i["superseded"]) for i in body["items"]] == [
        (1, "2", True), (2, "4", False),
    ]  # fmt: skip
    assert all(set(item) == REVIEW_KEYS for item in body["items"])
    assert body["items"][1]["indicators"] == [{"code": "efficiency", "label": "办事效率"}]


def test_the_second_evaluation_by_the_api_and_a_third_refused(
    finished: Case, citizen: Person
) -> None:
    headers = bearer(citizen.user)
    assert post(f"/cases/{finished.pk}", {"level": "3", "indicators": ["usability"]},
                headers).status_code == 201  # fmt: skip
    second = post(f"/cases/{finished.pk}", {"level": "1"}, headers)
    assert second.status_code == 201 and second.json()["sequence"] == 2
    refused(post(f"/cases/{finished.pk}", {"level": "1"}, headers), 409, "too_many_evaluations")
    assert list(Review.objects.order_by("sequence").values_list("level", "superseded")) == [
        ("3", True), ("1", False),
    ]  # fmt: skip


def test_bad_bodies_are_refused_in_chinese_and_write_nothing(
    finished: Case, citizen: Person
) -> None:
    headers = bearer(citizen.user)
    path = f"/cases/{finished.pk}"
    body = refused(post(path, {"level": "5", "text": "差"}, headers), 400, "invalid")
    assert "indicators" in body["fields"]
    body = refused(post(path, {"level": "9"}, headers), 400, "invalid")
    assert "level" in body["fields"]
    body = refused(post(path, {"level": "1", "indicators": ["service_attitude"]}, headers), 400)
    assert "indicators" in body["fields"]  # an on-site indicator is not an online one
    refused(post(path, {"level": "1", "text": "长" * 501}, headers), 400)
    refused(post(path, {"indicators": []}, headers), 400)
    refused(post(path, "{not json", headers), 400)
    assert not Review.objects.exists() and not Ticket.objects.exists()


def test_a_bad_review_by_the_api_opens_a_ticket(finished: Case, citizen: Person) -> None:
    response = post(
        f"/cases/{finished.pk}",
        {"level": "4", "indicators": ["guide_accuracy"], "text": "指南不准"},
        bearer(citizen.user),
    )
    assert response.status_code == 201
    assert Ticket.objects.get().review_id == response.json()["id"]


def test_someone_elses_case_is_404(finished: Case, other_citizen: Person, officer: Staff) -> None:
    headers = bearer(other_citizen.user)
    refused(get(f"/cases/{finished.pk}", headers), 404)
    refused(post(f"/cases/{finished.pk}", {"level": "1"}, headers), 404)
    refused(post(f"/cases/{finished.pk}", {"level": "1"}, bearer(officer.user)), 403)
    refused(post(f"/cases/{finished.pk}", {"level": "1"}), 401)
    assert not Review.objects.exists()


def test_an_unfinished_case_is_refused(
    citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    case = accepted_case(citizen, matter, officer)
    headers = bearer(citizen.user)
    assert get(f"/cases/{case.pk}", headers).json()["can_rate"] is False
    refused(post(f"/cases/{case.pk}", {"level": "1"}, headers), 409, "not_finished")
    assert not Review.objects.exists()


# --- The SMS link and the QR code -------------------------------------------------------------


def test_an_invitation_rates_without_login_by_sms_or_qr(finished: Case, citizen: Person) -> None:
    code = services.invitation_for(finished).code
    body = get(f"/invitations/{code}").json()
    assert body["item_name"] == finished.item.name and body["can_rate"] is True
    assert citizen.name not in json.dumps(body, ensure_ascii=False)
    response = post(f"/invitations/{code}", {"level": "2"})
    assert response.status_code == 201 and response.json()["channel"] == "7"
    response = post(f"/invitations/{code}", {"level": "1", "via": "qr"})
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["sequence"]) == ("3", 2)
    assert Review.objects.filter(rater=citizen.user).count() == 2
    refused(post(f"/invitations/{code}", {"level": "1"}), 409, "too_many_evaluations")
    assert get(f"/invitations/{code}").json()["levels"] == ["2", "1"]


def test_an_unknown_or_expired_invitation_is_404(finished: Case) -> None:
    invitation = services.invitation_for(finished)
    refused(post("/invitations/nosuchcode", {"level": "1"}), 404, "invitation_invalid")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    refused(post(f"/invitations/{invitation.code}", {"level": "1"}), 404, "invitation_invalid")
    refused(get(f"/invitations/{invitation.code}"), 404, "invitation_invalid")
    refused(post(f"/invitations/{invitation.code}", {"level": "1", "via": "fax"}), 400)
    assert not Review.objects.exists()


def test_a_bad_review_by_invitation_needs_a_reason_and_opens_a_ticket(finished: Case) -> None:
    code = services.invitation_for(finished).code
    refused(post(f"/invitations/{code}", {"level": "5"}), 400, "invalid")
    assert not Review.objects.exists()
    response = post(f"/invitations/{code}", {"level": "5", "indicators": ["efficiency"]})
    assert response.status_code == 201
    assert Ticket.objects.get().review.channel == "7"


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_give_two_evaluations_and_one_refusal(
    finished: Case, citizen: Person
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    headers = bearer(citizen.user)
    statuses: list[int] = []
    barrier = threading.Barrier(3)

    def rate(level: str) -> None:
        try:
            barrier.wait()
            statuses.append(post(f"/cases/{finished.pk}", {"level": level}, headers).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(level,)) for level in ("1", "2", "1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 201, 409]
    assert sorted(Review.objects.values_list("sequence", "superseded")) == [(1, True), (2, False)]
