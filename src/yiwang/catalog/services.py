"""Catalog services: the only write path to matters. Drafts are edited, checked against the
data-quality rules, and published as versions; every change is audited."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import has_role
from yiwang.catalog.codes import ExerciseLevel, ItemSource, MatterType
from yiwang.catalog.errors import CatalogError
from yiwang.catalog.models import (
    BasicItem,
    ImplementationItem,
    ItemStatus,
    ItemVersion,
    Material,
    Step,
    VersionState,
)
from yiwang.catalog.rules import (
    CodeError,
    check_basic_code,
    implementation_code,
    quality_problems,
    search_text,
    theme_keys,
)
from yiwang.core.audit import audit_record
from yiwang.core.pagecache import public_changed
from yiwang.regions.models import Department

logger = logging.getLogger(__name__)

SYSTEM = "system"

# Fields of ItemVersion a draft edit may set (everything but bookkeeping).
VERSION_FIELDS = frozenset(
    f.name
    for f in ItemVersion._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name
    not in {"id", "item", "number", "state", "created_by", "created_at", "published_at",
            "published_by"}
)  # fmt: skip


def actor_name(actor: Staff | None) -> str:
    return f"user:{actor.user_id}:{actor.user.get_username()}" if actor else SYSTEM


def require_editor(*, actor: Staff | None, department: Department) -> None:
    """Catalog managers edit their own department's items; those of the government-services
    department edit every item in their region. `None` is the system (import, sync, demo)."""
    if actor is None:
        return
    if not has_role(actor, Role.CATALOG_MANAGER):
        raise CatalogError("需要“事项管理员”角色", code="permission_denied", status=403)
    in_region = department.region_prefix.startswith(actor.region_prefix)
    same_department = department.pk == actor.department_id
    if not (same_department or (in_region and actor.department.kind == "government_services")):
        raise CatalogError("该事项不在您管理的部门或区域范围内", code="out_of_scope", status=403)


# --- Basic catalog --------------------------------------------------------------------------


def basic_item_save(
    *,
    code: str,
    name: str,
    matter_type: str,
    level: str,
    source: str = ItemSource.LOCAL,
    legal_basis: str = "",
    parent_code: str = "",
    actor: str = SYSTEM,
    batch: str = "",
) -> tuple[BasicItem, bool]:
    """Create or update a basic item by code; returns (item, changed)."""
    errors: dict[str, list[str]] = {}
    try:
        code = check_basic_code(code)
    except CodeError as exc:
        errors["code"] = [str(exc)]
    if not name.strip():
        errors["name"] = ["事项名称不能为空"]
    if matter_type not in MatterType.values:
        errors["matter_type"] = [f"事项类型“{matter_type}”不在代码表中"]
    if level not in ExerciseLevel.values:
        errors["level"] = [f"行使层级“{level}”不在代码表中（1-7）"]
    parent = None
    if parent_code:
        parent = BasicItem.objects.filter(code=parent_code.strip().upper()).first()
        if parent is None:
            errors["parent_code"] = [f"主项“{parent_code}”不存在"]
    if errors:
        raise CatalogError(next(iter(errors.values()))[0], fields=errors)
    values: dict[str, Any] = {
        "name": name.strip(),
        "matter_type": matter_type,
        "level": level,
        "source": source,
        "legal_basis": legal_basis.strip(),
        "parent": parent,
        "is_active": True,
    }
    with transaction.atomic():
        item = BasicItem.objects.select_for_update().filter(code=code).first()
        if item is not None and all(getattr(item, k) == v for k, v in values.items()):
            return item, False
        created = item is None
        item = item or BasicItem(code=code)
        for key, value in values.items():
            setattr(item, key, value)
        if batch:
            item.upstream_batch, item.synced_at = batch, timezone.now()
        item.save()
        public_changed()
        audit_record(
            actor=actor,
            action="catalog.basic_created" if created else "catalog.basic_updated",
            object_type="basic_item",
            object_id=code,
            detail={"batch": batch} if batch else {},
        )
    return item, True


# --- Implementation items and their versions --------------------------------------------------


def item_create(
    *,
    basic_item: BasicItem,
    department: Department,
    level: str,
    content: dict[str, Any],
    materials: list[dict[str, Any]] = (),  # type: ignore[assignment]
    steps: list[dict[str, Any]] = (),  # type: ignore[assignment]
    actor: Staff | None = None,
) -> ImplementationItem:
    """A new implementation item with its first draft version (unpublished)."""
    require_editor(actor=actor, department=department)
    try:
        code = implementation_code(uscc=department.uscc, level=level, basic_code=basic_item.code)
    except CodeError as exc:
        raise CatalogError(str(exc), fields={"code": [str(exc)]}) from exc
    if ImplementationItem.objects.filter(code=code).exists():
        raise CatalogError(f"实施编码 {code} 已存在", code="conflict", status=409)
    unknown = set(content) - VERSION_FIELDS
    if unknown:
        raise CatalogError(f"未知字段：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        public_changed()
        item = ImplementationItem.objects.create(
            code=code,
            basic_item=basic_item,
            department=department,
            region_id=department.region_id,
            region_prefix=department.region_prefix,
            level=level,
            name=content.get("name") or basic_item.name,
            matter_type=basic_item.matter_type,
        )
        version = ItemVersion.objects.create(
            item=item,
            number=1,
            created_by=actor_name(actor),
            **{"name": basic_item.name, **content},
        )
        _replace_children(version, materials=list(materials), steps=list(steps))
        audit_record(
            actor=actor_name(actor),
            action="catalog.item_created",
            object_type="implementation_item",
            object_id=code,
        )
    return item


def _replace_children(
    version: ItemVersion, *, materials: list[dict[str, Any]], steps: list[dict[str, Any]]
) -> None:
    version.materials.all().delete()
    version.steps.all().delete()
    Material.objects.bulk_create(
        Material(version=version, seq=index, **material)
        for index, material in enumerate(materials, start=1)
    )
    Step.objects.bulk_create(
        Step(version=version, order=index, **step) for index, step in enumerate(steps, start=1)
    )


def item_draft(*, item: ImplementationItem, actor: Staff | None = None) -> ItemVersion:
    """The item's draft: the open one, or a copy of the current version to edit."""
    require_editor(actor=actor, department=item.department)
    with transaction.atomic():
        item = ImplementationItem.objects.select_for_update().get(pk=item.pk)
        draft = item.versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            return draft
        source = item.current_version
        if source is None:
            raise CatalogError("该事项没有可复制的版本")
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        materials = list(source.materials.values(*_MATERIAL_FIELDS))
        steps = _step_rows(source)
        draft = ItemVersion.objects.get(pk=source.pk)
        draft.pk = None
        draft.number, draft.state = number, VersionState.DRAFT
        draft.created_by, draft.published_at, draft.published_by = actor_name(actor), None, ""
        draft.save(force_insert=True)
        _replace_children(draft, materials=materials, steps=steps)
        audit_record(
            actor=actor_name(actor),
            action="catalog.draft_opened",
            object_type="implementation_item",
            object_id=item.code,
            detail={"version": number},
        )
    return draft


def _step_rows(version: ItemVersion) -> list[dict[str, Any]]:
    return [{"name": s.name, "role": s.role, "limit": s.limit} for s in version.steps.all()]


_MATERIAL_FIELDS = (
    "name", "issuer", "originals", "copies", "required", "form_file", "sample_file",
    "license_type_code", "note",
)  # fmt: skip


def draft_update(
    *,
    draft: ItemVersion,
    changes: dict[str, Any],
    materials: list[dict[str, Any]] | None = None,
    steps: list[dict[str, Any]] | None = None,
    actor: Staff | None = None,
) -> ItemVersion:
    """Edit a draft; published versions never change."""
    require_editor(actor=actor, department=draft.item.department)
    if draft.state != VersionState.DRAFT:
        raise CatalogError("只能修改草稿；已发布的版本不可更改", code="conflict", status=409)
    unknown = set(changes) - VERSION_FIELDS
    if unknown:
        raise CatalogError(f"未知字段：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        for key, value in changes.items():
            setattr(draft, key, value)
        draft.save()
        if materials is not None or steps is not None:
            _replace_children(
                draft,
                materials=materials
                if materials is not None
                else list(draft.materials.values(*_MATERIAL_FIELDS)),
                steps=steps if steps is not None else _step_rows(draft),
            )
        audit_record(
            actor=actor_name(actor),
            action="catalog.draft_updated",
            object_type="implementation_item",
            object_id=draft.item.code,
            detail={"version": draft.number, "fields": sorted(changes)},
        )
    return draft


def item_publish(
    *, item: ImplementationItem, actor: Staff | None = None, now: dt.datetime | None = None
) -> ItemVersion:
    """Check the draft against the data-quality rules and publish it as the current version."""
    require_editor(actor=actor, department=item.department)
    now = now or timezone.now()
    with transaction.atomic():
        item = ImplementationItem.objects.select_for_update().get(pk=item.pk)
        draft = item.versions.filter(state=VersionState.DRAFT).first()
        if draft is None:
            raise CatalogError("没有待发布的草稿", code="conflict", status=409)
        problems = quality_problems(draft, step_count=draft.steps.count())
        if problems:
            fields: dict[str, list[str]] = {}
            for problem in problems:
                fields.setdefault(problem.field, []).append(problem.message)
            message = "未通过发布前检查：" + "；".join(p.message for p in problems)
            raise CatalogError(message, code="quality", fields=fields)
        item.versions.filter(state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)
        draft.state, draft.published_at, draft.published_by = (
            VersionState.PUBLISHED,
            now,
            actor_name(actor),
        )
        draft.save(update_fields=["state", "published_at", "published_by"])
        _copy_to_item(item, draft)
        public_changed()
        if item.status in (ItemStatus.DRAFT, ItemStatus.PUBLISHED):
            item.status = ItemStatus.PUBLISHED
        item.save()
        audit_record(
            actor=actor_name(actor),
            action="catalog.published",
            object_type="implementation_item",
            object_id=item.code,
            detail={"version": draft.number},
        )
    return draft


def _copy_to_item(item: ImplementationItem, version: ItemVersion) -> None:
    item.current_version = version
    item.name = version.name
    item.person_themes = list(version.person_themes)
    item.enterprise_themes = list(version.enterprise_themes)
    item.theme_keys = theme_keys(person=version.person_themes, enterprise=version.enterprise_themes)
    item.search_text = search_text(
        version.name,
        item.basic_item.name,
        extra=[*version.person_themes, *version.enterprise_themes, version.result_name],
    )


def item_set_status(
    *, item: ImplementationItem, status: str, reason: str, actor: Staff | None = None
) -> ImplementationItem:
    """Suspend, resume or revoke an item; suspending and revoking need a reason."""
    require_editor(actor=actor, department=item.department)
    allowed: dict[str, set[str]] = {
        ItemStatus.SUSPENDED: {ItemStatus.PUBLISHED},
        ItemStatus.PUBLISHED: {ItemStatus.SUSPENDED},
        ItemStatus.REVOKED: {ItemStatus.PUBLISHED, ItemStatus.SUSPENDED, ItemStatus.DRAFT},
    }
    if status not in allowed:
        raise CatalogError("无效的状态")
    if status != ItemStatus.PUBLISHED and not reason.strip():
        raise CatalogError("请填写暂停或取消的原因", fields={"reason": ["必填"]})
    with transaction.atomic():
        item = ImplementationItem.objects.select_for_update().get(pk=item.pk)
        if item.status not in allowed[status]:
            raise CatalogError(
                f"“{item.get_status_display()}”的事项不能改为“{ItemStatus(status).label}”",
                code="conflict",
                status=409,
            )
        before = item.status
        item.status, item.status_reason = status, reason.strip()
        item.save(update_fields=["status", "status_reason"])
        public_changed()
        audit_record(
            actor=actor_name(actor),
            action="catalog.status_changed",
            object_type="implementation_item",
            object_id=item.code,
            detail={"from": before, "to": status, "reason": reason.strip()},
        )
    return item


def basic_item_note_set(*, item: BasicItem, note: str, actor: str) -> BasicItem:
    """The local note is the one field of a basic item edited here whatever its source."""
    with transaction.atomic():
        BasicItem.objects.filter(pk=item.pk).update(local_note=note.strip())
        audit_record(
            actor=actor,
            action="catalog.basic_note_set",
            object_type="basic_item",
            object_id=item.code,
        )
    item.local_note = note.strip()
    return item


def item_application_counts_set(*, counts: Mapping[int, int]) -> int:
    """Set every implementation item's 办件量 (the order of the portal's hot matters and of the
    matter lists) to `counts` (item id → cases; an item not named has 0). Returns how many items
    changed; public pages are rebuilt once this commits when any did. A statistic derived from
    the cases, so it is logged, not audited."""
    with transaction.atomic():
        current = ImplementationItem.objects.values_list("pk", "application_count")
        changed = [
            ImplementationItem(pk=pk, application_count=counts.get(pk, 0))
            for pk, count in current.iterator(chunk_size=2000)
            if counts.get(pk, 0) != count
        ]
        ImplementationItem.objects.bulk_update(changed, ["application_count"], batch_size=500)
        if changed:
            public_changed()
    logger.info("application counts: %s items changed", len(changed))
    return len(changed)
