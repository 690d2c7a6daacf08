"""Bookings fixtures: the persona and catalog fixtures, bookable matters, halls, and a slot
factory. Times are fixed (a Monday in 2030, Asia/Shanghai) unless a test needs the real clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.accounts.tests.conftest import *  # noqa: F403
from yiwang.accounts.tests.conftest import PASSWORD, _person
from yiwang.bookings.models import Slot
from yiwang.bookings.rules import local
from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.tests.conftest import *  # noqa: F403
from yiwang.catalog.tests.conftest import _publish
from yiwang.regions.models import Department, Hall, Window

SHANGHAI = timezone.get_default_timezone()
NOW = dt.datetime(2030, 3, 4, 8, 0, tzinfo=SHANGHAI)  # a Monday, before opening
TOMORROW_9 = dt.datetime(2030, 3, 5, 9, 0, tzinfo=SHANGHAI)
CITY, XIFENG, QINGCHENG = "621000000000", "621002000000", "621021000000"


def at(day: dt.date | dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    day = day.date() if isinstance(day, dt.datetime) else day
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def hall_of(region: str) -> Hall:
    return Hall.objects.get(region_id=region, level__in=["city", "county"])


def window_of(hall: Hall, number: str) -> Window:
    return Window.objects.get(hall=hall, number=number)


def make_slot(
    hall: Hall,
    starts_at: dt.datetime,
    *,
    window: Window | None = None,
    item: ImplementationItem | None = None,
    minutes: int = 60,
    capacity: int = 5,
) -> Slot:
    """A slot as `services.slots_generate` writes it (tests need odd times and capacities)."""
    return Slot.objects.create(
        hall=hall,
        window=window,
        item=item,
        date=local(starts_at).date(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        capacity=capacity,
    )


@pytest.fixture
def city_hall(regions: None) -> Hall:
    return hall_of(CITY)


@pytest.fixture
def xifeng_hall(regions: None) -> Hall:
    return hall_of(XIFENG)


@pytest.fixture
def passport(department: Department) -> ImplementationItem:
    """普通护照签发 by 庆阳市公安局: bookable, handled at the city hall (B01 and the A windows)."""
    return _publish("000104002000", "普通护照签发", department, "3", bookable=True)


@pytest.fixture
def business_licence(regions: None) -> ImplementationItem:
    """A 西峰区 market-regulation matter: bookable, handled at the 西峰区 hall (B02, A windows)."""
    market = Department.objects.filter(region_id=XIFENG, kind="market_regulation").first()
    assert market is not None
    return _publish("000118002000", "个体工商户登记", market, "4", bookable=True)


@pytest.fixture
def not_bookable(regions: None) -> ImplementationItem:
    fund = Department.objects.filter(region_id=CITY, kind="housing_fund").first()
    assert fund is not None
    return _publish("000118001000", "住房公积金个人住房贷款", fund, "3")


@pytest.fixture
def slot(city_hall: Hall, passport: ImplementationItem) -> Slot:
    """Tomorrow (in NOW's terms) 9:00-10:00 at the city hall's police window, 5 places."""
    return make_slot(city_hall, TOMORROW_9, window=window_of(city_hall, "B01"))


@pytest.fixture
def people(db: None) -> list[Person]:
    return [
        _person(f"市民{n:02d}", f"62100219900101{n + 300:03d}", f"138000001{n:02d}")
        for n in range(20)
    ]


def staff_client(client: Client, staff: Staff) -> Client:
    """A workbench session past the second factor."""
    client.force_login(staff.user)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    return client


def token_for(client: Client, person: Person) -> dict[str, Any]:
    response = client.post(
        "/api/auth/token",
        {"client": "app", "identifier": person.phone, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
