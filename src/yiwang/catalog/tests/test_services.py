"""Drafts, publishing with the quality rules, versions, status, scoped editing."""

from __future__ import annotations

import pytest

from yiwang.catalog import services
from yiwang.catalog.errors import CatalogError
from yiwang.catalog.models import BasicItem, ImplementationItem, ItemStatus, VersionState
from yiwang.catalog.tests.conftest import manager
from yiwang.core.models import AuditRecord
from yiwang.regions.models import Department

pytestmark = pytest.mark.django_db


def test_basic_item_save_is_idempotent_and_explains_bad_input(db: None) -> None:
    item, changed = services.basic_item_save(
        code="000104002000", name="普通护照签发", matter_type="01", level="3"
    )
    assert changed
    again, changed_again = services.basic_item_save(
        code="000104002000", name="普通护照签发", matter_type="01", level="3"
    )
    assert (again.pk, changed_again) == (item.pk, False)
    assert AuditRecord.objects.filter(object_id="000104002000").count() == 1
    with pytest.raises(CatalogError) as excinfo:
        services.basic_item_save(code="1234", name="", matter_type="99", level="9")
    assert set(excinfo.value.fields) == {"code", "name", "matter_type", "level"}
    assert BasicItem.objects.count() == 1


def test_create_then_publish_makes_version_one_current(item: ImplementationItem) -> None:
    assert item.status == ItemStatus.DRAFT and item.current_version is None
    assert item.code == f"{item.department.uscc}3000104002000"
    version = services.item_publish(item=item)
    item.refresh_from_db()
    assert (version.number, version.state) == (1, VersionState.PUBLISHED)
    assert item.status == ItemStatus.PUBLISHED and item.current_version == version
    assert "hz" in item.search_text.split()[-2] or "pthzqf" in item.search_text
    assert [m.code for m in version.materials.all()] == [item.code + "001", item.code + "002"]
    assert list(version.steps.values_list("name", flat=True)) == ["受理", "审核", "决定"]


def test_publishing_is_refused_with_every_problem_and_changes_nothing(
    item: ImplementationItem,
) -> None:
    draft = item.versions.get()
    services.draft_update(
        draft=draft, changes={"promised_limit": 30, "fee_basis": "", "online_depth": "4"}
    )
    with pytest.raises(CatalogError) as excinfo:
        services.item_publish(item=item)
    fields = excinfo.value.fields
    assert set(fields) == {"promised_limit", "fee_basis", "visits"}
    assert excinfo.value.message.startswith("未通过发布前检查")
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.current_version is None


def test_editing_a_published_item_opens_a_new_version_and_keeps_the_old(
    item: ImplementationItem,
) -> None:
    first = services.item_publish(item=item)
    draft = services.item_draft(item=item)
    assert draft.number == 2 and draft.materials.count() == 2 and draft.steps.count() == 3
    assert services.item_draft(item=item) == draft  # one draft at a time
    services.draft_update(draft=draft, changes={"promised_limit": 5})
    item.refresh_from_db()
    assert item.current_version == first  # the guide still shows version 1
    second = services.item_publish(item=item)
    first.refresh_from_db()
    item.refresh_from_db()
    assert (first.state, second.state) == (VersionState.SUPERSEDED, VersionState.PUBLISHED)
    assert item.current_version == second and second.promised_limit == 5
    assert first.promised_limit == 7  # old versions stay readable, unchanged
    with pytest.raises(CatalogError, match="只能修改草稿"):
        services.draft_update(draft=first, changes={"promised_limit": 1})


def test_suspend_resume_revoke_need_reasons_and_follow_the_rules(
    item: ImplementationItem,
) -> None:
    services.item_publish(item=item)
    with pytest.raises(CatalogError, match="原因"):
        services.item_set_status(item=item, status=ItemStatus.SUSPENDED, reason=" ")
    services.item_set_status(item=item, status=ItemStatus.SUSPENDED, reason="系统升级")
    services.item_set_status(item=item, status=ItemStatus.PUBLISHED, reason="")
    services.item_set_status(item=item, status=ItemStatus.REVOKED, reason="事项取消")
    with pytest.raises(CatalogError, match="不能改为"):
        services.item_set_status(item=item, status=ItemStatus.PUBLISHED, reason="")
    moves = AuditRecord.objects.filter(action="catalog.status_changed")
    assert [r.detail["to"] for r in moves] == ["suspended", "published", "revoked"]


def test_catalog_managers_edit_only_their_scope(
    item: ImplementationItem, department: Department
) -> None:
    own = manager(department)
    services.item_draft(item=item, actor=own)  # same department
    other_department = Department.objects.filter(
        region_id="621021000000", kind="public_security"
    ).first()
    assert other_department is not None
    stranger = manager(other_department, "catman2")
    with pytest.raises(CatalogError, match="不在您管理") as excinfo:
        services.item_draft(item=item, actor=stranger)
    assert excinfo.value.status == 403
    hubs = Department.objects.filter(kind="government_services").order_by("pk")
    city_hub = hubs.filter(region_id="621000000000").first()
    county_hub = hubs.filter(region_id="621021000000").first()
    assert city_hub is not None and county_hub is not None
    services.item_draft(item=item, actor=manager(city_hub, "catman3"))  # the city's hub
    with pytest.raises(CatalogError):
        services.item_draft(item=item, actor=manager(county_hub, "catman4"))


def test_item_codes_are_unique(item: ImplementationItem) -> None:
    with pytest.raises(CatalogError, match="已存在"):
        services.item_create(
            basic_item=item.basic_item, department=item.department, level="3",
            content={"case_kind": "1", "legal_limit": 0, "promised_limit": 0},
        )  # fmt: skip
