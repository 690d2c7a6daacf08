"""Catalog managers edit, publish and suspend matters on the workbench, within their scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import Staff
from yiwang.catalog.models import ImplementationItem, ItemStatus, VersionState
from yiwang.catalog.tests.conftest import manager
from yiwang.regions.models import Department

pytestmark = pytest.mark.django_db


def _client(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session["second_factor"] = "totp"
    session.save()
    return client


def _draft_post(item: ImplementationItem, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": item.name, "case_kind": "2", "legal_limit": "15", "legal_limit_unit": "workday",
        "legal_limit_note": "", "promised_limit": "5", "promised_limit_unit": "workday",
        "promised_limit_note": "", "acceptance_conditions": "中国公民", "charged": "on",
        "fee_basis": "发改价格规〔2019〕914号", "online": "", "online_depth": "2",
        "min_real_name_level": "2", "visits": "1", "visits_reason": "采集指纹", "place": "大厅",
        "hours": "工作日", "consult_phone": "0934-8221234", "complaint_phone": "12345",
        "result_name": "护照", "service_objects": ["1"], "handling_forms": ["1"],
        "person_themes": ["出境入境"],
        "m-TOTAL_FORMS": "1", "m-INITIAL_FORMS": "0", "m-0-name": "居民身份证",
        "m-0-issuer": "公安机关", "m-0-originals": "1", "m-0-copies": "0", "m-0-required": "on",
        "s-TOTAL_FORMS": "2", "s-INITIAL_FORMS": "0", "s-0-name": "受理",
        "s-0-role": "window_officer", "s-0-limit": "1", "s-1-name": "审批",
        "s-1-role": "approver", "s-1-limit": "3",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_manager_edits_a_draft_and_publishes_it(
    item: ImplementationItem, department: Department
) -> None:
    client = _client(manager(department))
    assert item.code in client.get("/workbench/catalog/").content.decode()
    response = client.post(
        f"/workbench/catalog/{item.code}/draft/", _draft_post(item, promised_limit="20")
    )
    assert response.status_code == 302
    draft = item.versions.get(state=VersionState.DRAFT)
    assert draft.promised_limit == 20
    assert list(draft.steps.values_list("name", flat=True)) == ["受理", "审批"]
    assert list(draft.materials.values_list("name", flat=True)) == ["居民身份证"]
    assert draft.form_schema == []
    # A promised limit above the legal one: publishing is refused with the reason.
    refused = client.post(f"/workbench/catalog/{item.code}/publish/")
    assert refused.status_code == 400
    assert "承诺办结时限不能超过法定办结时限" in refused.content.decode()
    item.refresh_from_db()
    assert item.current_version is None
    client.post(f"/workbench/catalog/{item.code}/draft/", _draft_post(item))
    assert client.post(f"/workbench/catalog/{item.code}/publish/").status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.current_version.promised_limit == 5


def test_bad_draft_input_is_explained_and_changes_nothing(
    item: ImplementationItem, department: Department
) -> None:
    client = _client(manager(department))
    response = client.post(
        f"/workbench/catalog/{item.code}/draft/", _draft_post(item, legal_limit="abc")
    )
    assert response.status_code == 400
    assert "请按提示修改后再保存" in response.content.decode()
    assert item.versions.get().legal_limit == 15


def test_application_form_is_edited_as_json_and_checked_at_publishing(
    item: ImplementationItem, department: Department
) -> None:
    client = _client(manager(department))
    bad = '[{"name": "reason", "label": "出境事由", "type": "select"}]'
    client.post(f"/workbench/catalog/{item.code}/draft/", _draft_post(item, form_schema=bad))
    refused = client.post(f"/workbench/catalog/{item.code}/publish/")
    assert refused.status_code == 400 and "须列出选项" in refused.content.decode()
    good = '[{"name": "reason", "label": "出境事由", "type": "select", "options": ["旅游"]}]'
    client.post(f"/workbench/catalog/{item.code}/draft/", _draft_post(item, form_schema=good))
    assert client.post(f"/workbench/catalog/{item.code}/publish/").status_code == 302
    item.refresh_from_db()
    assert item.current_version.form_schema[0]["options"] == ["旅游"]


def test_suspend_needs_a_reason(item: ImplementationItem, department: Department) -> None:
    from yiwang.catalog import services

    services.item_publish(item=item)
    client = _client(manager(department))
    url = f"/workbench/catalog/{item.code}/status/"
    refused = client.post(url, {"status": "suspended", "reason": ""})
    assert refused.status_code == 400 and "原因" in refused.content.decode()
    assert client.post(url, {"status": "suspended", "reason": "系统升级"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.SUSPENDED


def test_other_departments_and_roles_are_kept_out(
    item: ImplementationItem, department: Department, regions: None
) -> None:
    other = Department.objects.filter(region_id="621021000000", kind="public_security").first()
    assert other is not None
    outsider = _client(manager(other, "catman9"))
    assert item.code not in outsider.get("/workbench/catalog/").content.decode()
    assert outsider.get(f"/workbench/catalog/{item.code}/").status_code == 404
    assert outsider.post(f"/workbench/catalog/{item.code}/publish/").status_code == 404
    from yiwang.accounts import services as accounts

    officer = accounts.staff_create(
        actor=None, username="officer9", name="officer9", department=department, phone="",
        password="Qingyang#2026",
    )  # fmt: skip
    assert _client(officer).get("/workbench/catalog/").status_code == 403
