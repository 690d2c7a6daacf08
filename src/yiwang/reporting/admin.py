"""Read-only admin of the reporting outbox: the payload with ID numbers, phones, addresses and
the names of natural persons masked, and a "重新上报" action for the records given up."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from yiwang.core.audit import actor_label
from yiwang.core.errors import YiwangError
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.rules import masked_payload
from yiwang.reporting.services import report_retry

DETAIL_FIELDS: tuple[str, ...] = (
    "id", "record_id", "dataset", "source_key", "case_number", "status", "attempts",
    "next_attempt_at", "last_error", "receipt_id", "created_at", "sent_at", "masked_payload",
)  # fmt: skip


@admin.register(ReportRecord)
class ReportRecordAdmin(admin.ModelAdmin[ReportRecord]):
    list_display = [
        "id", "dataset", "case_number", "status", "attempts", "next_attempt_at", "last_error",
        "created_at", "sent_at",
    ]  # fmt: skip
    list_filter = ["dataset", "status"]
    # Found by the whole case number or record id, never by a part.
    search_fields = ["=case_number", "=record_id"]
    date_hierarchy = "created_at"
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS
    actions = ["retry"]

    @admin.display(description="上报内容（已脱敏）")
    def masked_payload(self, obj: ReportRecord) -> str:
        shown = json.dumps(masked_payload(obj.payload), ensure_ascii=False, indent=2)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', shown)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReportRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReportRecord | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("reporting.retry_reportrecord")

    @admin.action(description="重新上报", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[ReportRecord]) -> None:
        retried = skipped = 0
        for record in queryset.order_by("pk"):
            if record.status != ReportStatus.FAILED:
                skipped += 1
                continue
            try:
                report_retry(
                    record=record,
                    actor=actor_label(request.user),
                    source_ip=request.META.get("REMOTE_ADDR"),
                )
            except YiwangError:
                skipped += 1
            else:
                retried += 1
        if retried:
            self.message_user(request, f"已重新上报 {retried} 条记录。", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} 条记录不是“上报失败”状态，未重新上报。", messages.WARNING
            )
