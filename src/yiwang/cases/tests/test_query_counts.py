"""A case page costs the same queries however long the case's history is: the officer's page on
the workbench and the applicant's page on the portal, for a case with a few events and notices
and for the same case with some twenty more of each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.tests.clients import staff_client
from yiwang.cases import services
from yiwang.cases.models import ActionCode, Case, CaseEvent, CaseNotice, EventKind
from yiwang.cases.notices.kinds import NoticeKind

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL: 9 on the workbench (session, user with the staff member,
# roles, case, steps, notices, events, pauses, files; the version's materials only when the
# correction form is opened) and 8 on the portal (session, user with the person, case, steps,
# notices, events, files, ratings). Exact bounds: a new query per page load must be a decision,
# not an accident.
STAFF_PAGE_MAX = 9
PORTAL_PAGE_MAX = 8
MORE = 20


@pytest.fixture(autouse=True)
def _sms_outbox(sms_file: Path) -> None:
    """The SMS the case services queue go to the test's own outbox."""


def applicant_client(person: Person) -> Client:
    client = Client()
    client.force_login(person.user, backend="yiwang.accounts.backends.IdentifierBackend")
    return client


def page_queries(client: Client, url: str) -> tuple[int, str]:
    """The queries of one GET of `url` (after a warm-up request), and the page."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def section(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</section>", 1)[0]


def lengthen(case: Case, colleague: Staff) -> None:
    """Some twenty more events of each kind a page shows, and some twenty more notices: the
    reviewer claims and releases the step (internal events, through the services), and public
    events of several kinds and notices of every kind are added as rows."""
    for _ in range(MORE // 2):
        services.case_step_claim(case=case, officer=colleague)
        services.case_step_release(case=case, officer=colleague)
    start = timezone.now()
    kinds = [EventKind.STEP_PASSED, EventKind.STEP_RETURNED, EventKind.CORRECTED]
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=kinds[i % len(kinds)],
            action=ActionCode.OTHER,
            to_state=case.state,
            step_name="审核",
            actor=colleague.user,
            actor_name=colleague.name,
            actor_role=Role.REVIEWER,
            opinion=f"意见{i}",
            public=True,
            at=start + dt.timedelta(minutes=i),
        )
        for i in range(MORE)
    )
    notice_kinds = list(NoticeKind)
    CaseNotice.objects.bulk_create(
        CaseNotice(
            case=case,
            kind=notice_kinds[i % len(notice_kinds)],
            document_number=f"测试〔2026〕{i + 100}号",
            content={},
            issued_at=start + dt.timedelta(minutes=i),
        )
        for i in range(MORE)
    )


def _counts(case: Case) -> dict[str, int]:
    return {
        "events": case.events.count(),
        "public_events": case.events.filter(public=True).count(),
        "notices": case.notices.count(),
    }


def test_workbench_case_page_queries_do_not_grow_with_its_history(
    accepted: Case, colleague: Staff, django_assert_max_num_queries: Any
) -> None:
    url = f"/workbench/cases/{accepted.pk}/"
    client = staff_client(colleague)
    before = _counts(accepted)
    assert 1 <= before["events"] <= 4 and 1 <= before["notices"] <= 3
    few, page = page_queries(client, url)
    assert section(page, 'id="timeline"').count("<tr><td>") == before["events"]
    assert section(page, 'id="notices"').count(".pdf") == before["notices"]
    assert 'id="action-claim"' in page

    lengthen(accepted, colleague)
    after = _counts(accepted)
    assert after["events"] == before["events"] + 2 * MORE
    many, page = page_queries(client, url)
    assert section(page, 'id="timeline"').count("<tr><td>") == after["events"]
    internal = after["events"] - after["public_events"]
    assert (
        section(page, 'id="timeline"').count("否（内部）")
        == internal
        == MORE + (before["events"] - before["public_events"])
    )
    assert section(page, 'id="notices"').count(".pdf") == before["notices"] + MORE
    assert 'id="action-claim"' in page  # released again: the same actions as before
    assert many == few <= STAFF_PAGE_MAX, (many, few)


def test_portal_case_page_queries_do_not_grow_with_its_history(
    accepted: Case, citizen: Person, colleague: Staff
) -> None:
    url = f"/cases/{accepted.pk}/"
    client = applicant_client(citizen)
    before = _counts(accepted)
    few, page = page_queries(client, url)
    timeline = page.split('id="timeline"', 1)[1].split("</table>", 1)[0]
    assert timeline.count("<tr><td>") == before["public_events"] >= 1
    assert page.split('id="notices"', 1)[1].count(".pdf") == before["notices"]

    lengthen(accepted, colleague)
    many, page = page_queries(client, url)
    timeline = page.split('id="timeline"', 1)[1].split("</table>", 1)[0]
    assert timeline.count("<tr><td>") == before["public_events"] + MORE  # internal ones hidden
    assert page.split('id="notices"', 1)[1].count(".pdf") == before["notices"] + MORE
    assert many == few <= PORTAL_PAGE_MAX, (many, few)
