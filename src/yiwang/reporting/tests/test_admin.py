"""The outbox admin: read-only, filters, masked payload, and "重新上报" for failed records.

`admin_client` (src/yiwang/conftest.py) is a superuser past the second factor.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from yiwang.accounts.models import User
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.core.models import AuditRecord
from yiwang.reporting.codes import Dataset
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.services import report_enqueue
from yiwang.reporting.tests.factories import (
    AGENT_ID,
    PAYLOADS,
    PHONE,
    RESIDENT_ID,
    case_number,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/reporting/reportrecord/"


def _record(
    status: str = ReportStatus.FAILED, dataset: Dataset = Dataset.APPLICATION, serial: int = 1
) -> ReportRecord:
    number = case_number(serial)
    record = report_enqueue(
        dataset=dataset, source_key=f"case:{serial}:{dataset}", case_number=number,
        payload=PAYLOADS[dataset](case_number=number),
    )  # fmt: skip
    ReportRecord.objects.filter(pk=record.pk).update(
        status=status, attempts=5, next_attempt_at=None, last_error="UNAVAILABLE: HTTP 503"
    )
    return record


def test_the_payload_is_shown_masked(admin_client: Client) -> None:
    record = _record()
    html = admin_client.get(f"{CHANGELIST}{record.pk}/change/").content.decode()
    assert "139****5678" in html
    assert RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:] in html
    assert "张**" in html and "李*" in html
    for secret in (RESIDENT_ID, AGENT_ID, PHONE, "张三丰", "南大街1号"):
        assert secret not in html
    assert "UNAVAILABLE: HTTP 503" in html


def test_the_list_filters_by_dataset_and_status(admin_client: Client) -> None:
    failed = _record(ReportStatus.FAILED, Dataset.APPLICATION, serial=1)
    sent = _record(ReportStatus.SENT, Dataset.ACCEPTANCE, serial=2)
    html = admin_client.get(CHANGELIST).content.decode()
    assert failed.case_number in html and sent.case_number in html
    assert PHONE not in html and RESIDENT_ID not in html
    only_failed = admin_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert failed.case_number in only_failed and sent.case_number not in only_failed
    only_acceptance = admin_client.get(
        CHANGELIST, {"dataset__exact": "acceptance"}
    ).content.decode()
    assert sent.case_number in only_acceptance and failed.case_number not in only_acceptance
    found = admin_client.get(CHANGELIST, {"q": sent.case_number}).content.decode()
    assert sent.case_number in found and failed.case_number not in found


def test_no_adding_editing_or_deleting(admin_client: Client) -> None:
    record = _record()
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{record.pk}/delete/").status_code == 403
    admin_client.post(f"{CHANGELIST}{record.pk}/change/", {"status": "sent"})
    assert ReportRecord.objects.get(pk=record.pk).status == ReportStatus.FAILED


def test_retry_action_requeues_failed_records_only(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    failed = _record(ReportStatus.FAILED, serial=1)
    sent = _record(ReportStatus.SENT, serial=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            CHANGELIST, {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    html = response.content.decode()
    assert "已重新上报 1 条记录。" in html
    assert "1 条记录不是“上报失败”状态，未重新上报。" in html
    assert len(callbacks) == 1
    requeued = ReportRecord.objects.get(pk=failed.pk)
    assert (requeued.status, requeued.attempts) == (ReportStatus.PENDING, 0)
    assert ReportRecord.objects.get(pk=sent.pk).status == ReportStatus.SENT
    audit = AuditRecord.objects.get(action="reporting.report_retry")
    assert audit.actor.endswith(":root") and audit.object_id == str(failed.pk)


def test_staff_without_the_retry_permission_cannot_retry(client: Client) -> None:
    staff = User.objects.create_user(username="viewer", password="Yiwang@2026", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_reportrecord"))
    client.force_login(staff)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    failed = _record()
    page = client.get(CHANGELIST).content.decode()
    assert failed.case_number in page
    assert "重新上报" not in page
    client.post(CHANGELIST, {"action": "retry", "_selected_action": [failed.pk]})
    assert ReportRecord.objects.get(pk=failed.pk).status == ReportStatus.FAILED
    assert not AuditRecord.objects.filter(action="reporting.report_retry").exists()


def test_staff_without_the_view_permission_see_nothing(client: Client) -> None:
    staff = User.objects.create_user(username="other", password="Yiwang@2026", is_staff=True)
    client.force_login(staff)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    record = _record()
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{record.pk}/change/").status_code == 403
