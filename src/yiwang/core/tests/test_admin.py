"""The admin: the missing-year warning, loading a year's schedule, the read-only audit log."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.models import User
from yiwang.core.audit import audit_record
from yiwang.core.models import AuditRecord, CalendarOverride, CalendarYear

pytestmark = pytest.mark.django_db


def _today(day: dt.date) -> mock._patch[mock.MagicMock]:
    return mock.patch("yiwang.core.templatetags.yiwang_core.timezone.localdate", return_value=day)


def test_admin_home_warns_while_next_year_is_missing(admin_client: Client) -> None:
    with _today(dt.date(2026, 11, 28)):
        html = admin_client.get("/admin/").content.decode()
    assert 'id="calendar-warning"' in html
    assert "缺少 2027 年的节假日安排" in html


def test_no_warning_once_the_year_is_loaded(admin_client: Client) -> None:
    CalendarYear.objects.create(year=2027, source="测试通知")
    with _today(dt.date(2026, 11, 28)):
        html = admin_client.get("/admin/").content.decode()
    assert "calendar-warning" not in html


def test_load_a_year_through_the_admin(admin_client: Client) -> None:
    upload = SimpleUploadedFile(
        "2027.csv", "2027-01-01,休,元旦\n2027-02-14,班,调休\n".encode(), "text/csv"
    )
    response = admin_client.post(
        "/admin/core/calendaryear/load/",
        {"year": "2027", "source": "国务院办公厅通知（测试）", "file": upload},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.filter(date__year=2027).count() == 2
    record = AuditRecord.objects.get(action="calendar.year_load")
    assert record.actor.endswith(":root")


def test_a_bad_file_is_explained_and_nothing_is_loaded(admin_client: Client) -> None:
    upload = SimpleUploadedFile("2027.csv", "2027-02-30,休,错\n".encode(), "text/csv")
    response = admin_client.post(
        "/admin/core/calendaryear/load/", {"year": "2027", "source": "x", "file": upload}
    )
    assert response.status_code == 200
    assert "第 1 行" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_override_edited_in_the_admin_is_audited(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/calendaroverride/add/",
        {"date": "2026-03-02", "kind": "holiday", "name": "停电停办"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get().name == "停电停办"
    assert AuditRecord.objects.filter(action="calendar.override_set").count() == 1


def test_audit_records_cannot_be_changed_or_deleted_in_the_admin(admin_client: Client) -> None:
    record = audit_record(actor="system", action="test")
    url = f"/admin/core/auditrecord/{record.pk}/"
    assert admin_client.get("/admin/core/auditrecord/").status_code == 200
    admin_client.post(url + "change/", {"actor": "someone"})
    assert admin_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.get(pk=record.pk).actor == "system"


def test_anonymous_users_cannot_reach_the_admin(client: Client) -> None:
    response = client.get("/admin/core/calendaryear/load/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    # …and the admin's own login sends everyone to the workbench login with its second factor.
    login = client.get("/admin/login/?next=/admin/")
    assert login["Location"] == "/workbench/login/?next=/admin/"


def test_a_password_only_session_does_not_open_the_admin(client: Client) -> None:
    user = User.objects.create_superuser(username="root", password="Yiwang@2026")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
