"""The admin shows slots, bookings and tickets read-only, without phone numbers."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.accounts.models import Person
from yiwang.bookings import services
from yiwang.bookings.models import Slot
from yiwang.bookings.tests.conftest import NOW
from yiwang.catalog.models import ImplementationItem

pytestmark = pytest.mark.django_db


def test_admin_pages_are_read_only_and_masked(
    admin_client: Any, citizen: Person, slot: Slot, passport: ImplementationItem
) -> None:
    booking = services.booking_create(person=citizen, slot=slot, item=passport, now=NOW)
    ticket = services.ticket_take(hall=slot.hall, window_kind="general", person=citizen, now=NOW)
    for url in ["/admin/bookings/slot/", "/admin/bookings/booking/",
                "/admin/bookings/queueticket/"]:  # fmt: skip
        response = admin_client.get(url)
        assert response.status_code == 200, url
    html = admin_client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert booking.code in html and "张*" in html and "预约" in html
    assert citizen.phone not in html and "张三" not in html
    html = admin_client.get(f"/admin/bookings/queueticket/{ticket.pk}/change/").content.decode()
    assert "A001" in html and "张三" not in html
    assert admin_client.post(f"/admin/bookings/slot/{slot.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/bookings/slot/add/").status_code == 403
