"""Read-only admin of the outbox: masked numbers, no text (it may hold codes and passwords),
and a "重新发送" action for the messages that were given up."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from yiwang.core.audit import actor_label
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_phone
from yiwang.notify.models import Category, MessageStatus, OutboxMessage
from yiwang.notify.services import message_resend

# No number in clear, no text and no parameter values: they may hold codes and passwords.
DETAIL_FIELDS: tuple[str, ...] = (
    "id", "masked_phone", "channel", "template", "param_names", "category_label", "status",
    "attempts", "next_attempt_at", "last_error", "provider_message_id", "client_msg_id",
    "created_at", "sent_at",
)  # fmt: skip


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = [
        "id", "masked_phone", "template", "category_label", "status", "attempts",
        "next_attempt_at", "created_at", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", "template", "category"]
    # An officer helping a citizen finds their messages by the full number, never by a part.
    search_fields = ["=phone"]
    date_hierarchy = "created_at"
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS
    actions = ["resend"]

    @admin.display(description="手机号码")
    def masked_phone(self, obj: OutboxMessage) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="用途", ordering="category")
    def category_label(self, obj: OutboxMessage) -> str:
        labels = dict(Category.choices)
        return str(labels.get(obj.category, obj.category or "-"))

    @admin.display(description="模板参数")
    def param_names(self, obj: OutboxMessage) -> str:
        return "、".join(sorted(obj.params)) if isinstance(obj.params, dict) else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.resend_outboxmessage")

    @admin.action(description="重新发送", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        resent = skipped = 0
        for message in queryset.order_by("pk"):
            if message.status != MessageStatus.FAILED:
                skipped += 1
                continue
            try:
                message_resend(
                    message=message,
                    actor=actor_label(request.user),
                    source_ip=request.META.get("REMOTE_ADDR"),
                )
            except YiwangError:
                skipped += 1
            else:
                resent += 1
        if resent:
            self.message_user(request, f"已重新发送 {resent} 条短信。", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} 条短信不是“发送失败”状态，未重新发送。", messages.WARNING
            )
