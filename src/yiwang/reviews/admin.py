"""Read-only admin of reviews and tickets: every change goes through the services (a level edited
here would bypass the ticket it must open, and the record must stay as the rater left it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.core.masking import mask_phone
from yiwang.reviews.models import Review, Ticket, TicketEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "occasion", "sequence", "level", "channel", "department",
                    "officer", "is_default", "excluded", "superseded"]  # fmt: skip
    list_filter = ["level", "channel", "occasion", "is_default", "excluded", "month"]
    list_select_related = ["department", "officer"]
    exclude = ["rater_phone"]
    readonly_fields = ["masked_phone"]
    raw_id_fields = ["case", "item", "department", "officer", "window", "rater"]
    date_hierarchy = "created_at"

    @admin.display(description="评价人手机号码")
    def masked_phone(self, review: Review) -> str:
        return mask_phone(review.rater_phone)


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "from_state", "to_state", "actor_name", "note")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["pk", "department", "state", "resolution", "due_on", "appeal", "closed_at"]
    list_filter = ["state", "resolution", "appeal"]
    list_select_related = ["department"]
    raw_id_fields = ["review", "department"]
    inlines = [TicketEventInline]
