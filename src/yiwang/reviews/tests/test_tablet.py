"""The hall evaluator tablet (政务大厅平板, 一次一评): the full-screen page and its API. The token
in the address is the device's key (wrong → 403); the tablet rates the officer serving now (the
queue number being served at the window, else the officer signed in there; nobody → 409);
levels below 满意 ask for an on-site reason first; each tap is recorded with channel 4."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import Staff
from yiwang.bookings import services as bookings
from yiwang.bookings.models import QueueTicket
from yiwang.regions.models import Window
from yiwang.reviews import services
from yiwang.reviews.errors import ReviewErrorCode
from yiwang.reviews.models import Review, Ticket

pytestmark = pytest.mark.django_db

RULE = "请至少选择一项不满意的方面"


def page_url(window: Window, token: str | None = None) -> str:
    return f"/reviews/tablet/{window.pk}/{token or services.tablet_token(window)}/"


def api_url(window: Window, token: str | None = None) -> str:
    return f"/api/reviews/tablet/{window.pk}?token={token or services.tablet_token(window)}"


def text(response: Any) -> str:
    return response.content.decode()


def api_post(window: Window, body: dict[str, Any], token: str | None = None) -> Any:
    return Client().post(
        api_url(window, token), data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def signed_in(officer: Staff, window: Window) -> Staff:
    """The window officer signed in at the window today."""
    services.attendance_sign_in(staff=officer, window=window)
    return officer


@pytest.fixture
def called(signed_in: Staff, window: Window) -> QueueTicket:
    """A queue number taken for the window and called there by the officer."""
    department = signed_in.department if window.kind == Window.Kind.SPECIALIST else None
    bookings.ticket_take(hall=window.hall, window_kind=window.kind, department=department)
    return bookings.ticket_call_next(officer=signed_in, window=window)


# --- The page ---------------------------------------------------------------------------------


def test_a_wrong_token_is_403_with_the_message(window: Window, signed_in: Staff) -> None:
    for response in (
        Client().get(page_url(window, "0" * 20)),
        Client().post(page_url(window, "wrong"), {"level": "1"}),
    ):
        assert response.status_code == 403
        assert ReviewErrorCode.TABLET_INVALID.message in text(response)
    other = Window.objects.exclude(pk=window.pk).first()
    assert other is not None  # one window's key does not open another's tablet
    assert Client().get(page_url(other, services.tablet_token(window))).status_code == 403
    assert Client().get("/reviews/tablet/999999/x/").status_code == 404
    assert not Review.objects.exists()


def test_nobody_serving_shows_so_and_a_tap_is_409(window: Window) -> None:
    page = text(Client().get(page_url(window)))
    assert "当前无人服务" in page and 'id="level-1"' not in page
    assert f"{window.number}号窗口" in page
    response = Client().post(page_url(window), {"level": "1"})
    assert response.status_code == 409
    assert ReviewErrorCode.NOBODY_SERVING.message in text(response)
    assert not Review.objects.exists()


def test_the_page_shows_the_officer_signed_in_and_no_phone(
    window: Window, signed_in: Staff
) -> None:
    page = text(Client().get(page_url(window)))
    assert signed_in.name in page and signed_in.department.name in page
    assert f"{window.number}号窗口 · {window.name}" in page
    assert signed_in.phone not in page
    for code, label in [("1", "非常满意"), ("2", "满意"), ("3", "基本满意"), ("4", "不满意"),
                        ("5", "非常不满意")]:  # fmt: skip
        assert f'id="level-{code}"' in page and label in page
    assert 'http-equiv="refresh"' in page  # the start screen follows who is serving


def test_one_tap_on_very_satisfied_rates_the_officer_on_site(
    window: Window, signed_in: Staff
) -> None:
    response = Client().post(page_url(window), {"level": "1"})
    assert response.status_code == 302 and response["Location"] == page_url(window) + "?thanks=1"
    review = Review.objects.get()
    assert (review.occasion, review.channel, review.level) == ("on_site", "4", "1")
    assert (review.officer_id, review.window_id) == (signed_in.pk, window.pk)
    assert review.department_id == signed_in.department_id and review.case_id is None
    thanks = text(Client().get(response["Location"]))
    assert "感谢您的评价" in thanks
    assert f'content="5;url={page_url(window)}"' in thanks  # back to the start


def test_below_satisfied_asks_for_the_reason_first(window: Window, signed_in: Staff) -> None:
    client = Client()
    response = client.post(page_url(window), {"level": "3"})
    page = text(response)
    assert response.status_code == 200 and 'id="reasons-form"' in page
    for label in ("服务效率", "服务水平", "服务态度"):
        assert label in page
    assert 'name="level" value="3"' in page and not Review.objects.exists()

    response = client.post(page_url(window), {"level": "3", "step": "reasons"})
    assert response.status_code == 400 and RULE in text(response)
    assert 'id="reasons-form"' in text(response) and not Review.objects.exists()

    response = client.post(
        page_url(window), {"level": "3", "step": "reasons", "indicators": ["service_level"]}
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.level, review.indicators) == ("3", ["service_level"])
    assert not Ticket.objects.exists()  # 基本满意 is not a bad review


def test_a_bad_tap_with_a_reason_opens_a_ticket(window: Window, signed_in: Staff) -> None:
    Client().post(
        page_url(window),
        {"level": "5", "step": "reasons", "indicators": ["service_attitude", "service_efficiency"]},
    )
    ticket = Ticket.objects.get()
    assert ticket.review.officer_id == signed_in.pk and ticket.review.channel == "4"
    assert ticket.department_id == signed_in.department_id


def test_online_indicators_are_refused_on_the_tablet(window: Window, signed_in: Staff) -> None:
    response = Client().post(
        page_url(window), {"level": "4", "step": "reasons", "indicators": ["efficiency"]}
    )
    assert response.status_code == 400 and not Review.objects.exists()


def test_the_number_served_is_shown_and_rated_at_most_twice(
    window: Window, called: QueueTicket
) -> None:
    page = text(Client().get(page_url(window)))
    assert f"{called.code} 号" in page
    Client().post(page_url(window), {"level": "2"})
    Client().post(page_url(window), {"level": "1"})
    first, second = Review.objects.order_by("sequence")
    assert first.occasion_key == second.occasion_key == f"ticket:{called.pk}"
    assert (first.level, first.superseded, second.level, second.sequence) == ("2", True, "1", 2)
    response = Client().post(page_url(window), {"level": "1"})
    assert response.status_code == 409
    assert ReviewErrorCode.TOO_MANY.message in text(response)
    assert Review.objects.count() == 2


def test_after_sign_out_nobody_is_serving(window: Window, signed_in: Staff) -> None:
    services.attendance_sign_out(staff=signed_in)
    assert "当前无人服务" in text(Client().get(page_url(window)))


# --- The API ----------------------------------------------------------------------------------


def test_the_api_says_who_serves_now_without_a_phone(window: Window, called: QueueTicket) -> None:
    response = Client().get(api_url(window))
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "window": {"id": window.pk, "number": window.number, "name": window.name,
                   "hall": window.hall.name},
        "serving": {"name": "officer", "department": called.called_by.department.name,
                    "queue_number": called.code},
    }  # fmt: skip
    assert called.called_by.phone not in response.content.decode()


def test_the_api_answers_nobody_serving_and_wrong_tokens(window: Window) -> None:
    with CaptureQueriesContext(connection) as queries:
        body = Client().get(api_url(window)).json()
    assert body["serving"] is None and len(queries) <= 4
    refused = Client().get(api_url(window, "wrong"))
    assert refused.status_code == 403 and refused.json()["code"] == "tablet_invalid"
    assert Client().get(f"/api/reviews/tablet/{window.pk}").status_code == 403
    response = api_post(window, {"level": "1"})
    assert response.status_code == 409 and response.json()["code"] == "nobody_serving"
    assert set(response.json()) == {"code", "message", "fields"}
    assert not Review.objects.exists()


def test_the_api_rates_the_officer_serving(window: Window, signed_in: Staff) -> None:
    assert api_post(window, {"level": "1"}, "wrong").status_code == 403
    response = api_post(window, {"level": "4"})
    assert response.status_code == 400 and "indicators" in response.json()["fields"]
    assert not Review.objects.exists()
    response = api_post(window, {"level": "4", "indicators": ["service_attitude"], "text": "冷淡"})
    assert response.status_code == 201
    body = response.json()
    assert (body["occasion"], body["channel"], body["channel_label"]) == (
        "on_site", "4", "政务大厅平板",
    )  # fmt: skip
    assert body["indicators"] == [{"code": "service_attitude", "label": "服务态度"}]
    review = Review.objects.get()
    assert review.officer_id == signed_in.pk and Ticket.objects.get().review == review
