"""Read-only admin of slots, bookings and tickets: every change goes through the services (a
capacity edited here would skip the lock that keeps bookings within it). No phone numbers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.bookings.models import Booking, BookingEvent, QueueTicket, Slot
from yiwang.core.masking import mask_name


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = BookingEvent
    fields = readonly_fields = ("at", "action", "actor", "detail")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BookingEventInline(EventInline):
    fk_name = "booking"


class TicketEventInline(EventInline):
    fk_name = "ticket"


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ["date", "starts_at", "ends_at", "hall", "window", "item", "capacity",
                    "booked_count"]  # fmt: skip
    list_filter = ["date"]
    list_select_related = ["hall", "window", "item"]
    search_fields = ["hall__name"]
    date_hierarchy = "date"
    raw_id_fields = ["hall", "window", "item"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["code", "masked_person", "slot_start", "hall", "item", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["person", "slot__hall", "item"]
    search_fields = ["=code"]
    fields = readonly_fields = (
        "code", "masked_person", "slot", "item", "state", "created_at", "cancelled_at",
        "checked_in_at", "reminded_at", "ticket",
    )  # fmt: skip
    inlines = [BookingEventInline]

    @admin.display(description="预约人")
    def masked_person(self, obj: Booking) -> str:
        return mask_name(obj.person.name)

    @admin.display(description="预约时段", ordering="slot__starts_at")
    def slot_start(self, obj: Booking) -> Any:
        return obj.slot.starts_at

    @admin.display(description="大厅")
    def hall(self, obj: Booking) -> str:
        return obj.slot.hall.name


@admin.register(QueueTicket)
class QueueTicketAdmin(ReadOnlyAdmin):
    list_display = ["code", "date", "hall", "window_kind", "priority", "state", "taken_at",
                    "called_at", "window", "wait_seconds"]  # fmt: skip
    list_filter = ["state", "window_kind", "priority", "date"]
    list_select_related = ["hall", "window"]
    search_fields = ["=code"]
    date_hierarchy = "date"
    exclude = ["person"]
    inlines = [TicketEventInline]
