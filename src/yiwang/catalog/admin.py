"""Admin for operators (the system administrator): the basic catalog, with provincial fields
read-only and the local note editable; implementation items and sync batches to look at.
Implementation items are edited by catalog managers on the workbench, through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.catalog.models import BasicItem, ImplementationItem, SyncBatch
from yiwang.catalog.services import basic_item_note_set
from yiwang.catalog.sync import upstream_fields_locked
from yiwang.core.audit import actor_label


@admin.register(BasicItem)
class BasicItemAdmin(admin.ModelAdmin[BasicItem]):
    list_display = ["code", "name", "matter_type", "level", "source", "is_active", "synced_at"]
    list_filter = ["source", "matter_type", "level", "is_active"]
    search_fields = ["code", "name"]
    FIELDS = (
        "code", "name", "matter_type", "level", "legal_basis", "parent", "source", "is_active",
        "upstream_batch", "synced_at", "local_note",
    )  # fmt: skip
    fields = FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new basic items come from Excel import or the provincial sync

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: BasicItem | None = None) -> list[str]:
        # Every field but the local note: provincial ones are the province's, and local ones
        # change through the Excel import (checked and audited); the note is edited here.
        locked = upstream_fields_locked(obj) if obj is not None else frozenset()
        return sorted({*self.FIELDS, *locked} - {"local_note"})

    def save_model(self, request: HttpRequest, obj: BasicItem, form: Any, change: bool) -> None:
        basic_item_note_set(item=obj, note=obj.local_note, actor=actor_label(request.user))


@admin.register(ImplementationItem)
class ImplementationItemAdmin(admin.ModelAdmin[ImplementationItem]):
    list_display = ["code", "name", "department", "status", "current_version"]
    list_filter = ["status", "level", "matter_type"]
    search_fields = ["code", "name"]
    list_select_related = ["department", "current_version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncBatch)
class SyncBatchAdmin(admin.ModelAdmin[SyncBatch]):
    list_display = ["batch_no", "batch_time", "state", "inserted", "updated", "deleted", "error"]
    list_filter = ["state"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
