"""办件量: each matter's cases of the last year, counted by a periodic job into the catalog, where
it orders the portal's hot matters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Person, Staff
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tasks import item_counts_refresh
from yiwang.cases.tests.conftest import FORM_DATA, submitted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.tests.conftest import _publish
from yiwang.core.scheduler import PERIODIC_JOBS

pytestmark = pytest.mark.django_db


def hot_names(client: Client) -> list[str]:
    page = client.get("/").content.decode()
    listed = page.split('id="hot"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', listed)


def test_the_last_year_of_cases_orders_the_hot_matters(
    client: Client,
    citizen: Person,
    matter: ImplementationItem,
    officer: Staff,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = _publish("000119002000", "食品生产许可", officer.department, "4")
    ImplementationItem.objects.filter(pk=other.pk).update(application_count=7)
    for _ in range(3):
        submitted_case(citizen, matter)
    old = submitted_case(citizen, matter)
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=400))
    services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    assert hot_names(client) == ["食品生产许可", "食品经营许可"]  # the old counts, cached

    with django_capture_on_commit_callbacks(execute=True):
        assert item_counts_refresh.call() == 2  # type: ignore[attr-defined]
    counts = dict(ImplementationItem.objects.values_list("pk", "application_count"))
    assert (counts[matter.pk], counts[other.pk]) == (3, 0)  # not the draft, not 400 days ago
    assert hot_names(client) == ["食品经营许可", "食品生产许可"]  # the home page is rebuilt

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert item_counts_refresh.call() == 0  # type: ignore[attr-defined]
    assert callbacks == []  # nothing changed: the public pages stay cached


def test_the_count_is_a_periodic_job_every_6_hours() -> None:
    job = next(j for j in PERIODIC_JOBS if j.name == "item_counts")
    assert job.every == dt.timedelta(hours=6)
    assert job.task_path == "yiwang.cases.tasks:item_counts_refresh"
