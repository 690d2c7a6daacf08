"""Bookings (预约) of time slots at a hall, and the hall queue (排队叫号) of numbered tickets.

A `Slot` is a period at one hall (optionally one window, optionally one matter) with a capacity;
a `Booking` holds one place in it. Checking in turns a booking into a `QueueTicket` that jumps the
queue. Tickets are also taken at the hall's kiosk; window officers call them. Every state change
of a booking or a ticket writes one `BookingEvent`. Writes go through `services/` only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from yiwang.regions.models import Window


class Slot(models.Model):
    """A bookable period at a hall. `date` is the local (Asia/Shanghai) date of `starts_at`."""

    hall = models.ForeignKey(
        "regions.Hall", verbose_name="大厅", on_delete=models.PROTECT, related_name="booking_slots"
    )
    window = models.ForeignKey(
        "regions.Window",
        verbose_name="窗口",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booking_slots",
    )
    item = models.ForeignKey(
        "catalog.ImplementationItem",
        verbose_name="限定事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booking_slots",
    )
    date = models.DateField("日期")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("可预约人数")
    booked_count = models.PositiveSmallIntegerField("已预约人数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["date", "starts_at", "hall_id", "window_id"]
        indexes = [models.Index(fields=["hall", "date"], name="bookings_slot_hall_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked_count__lte=F("capacity")),
                name="bookings_slot_not_overbooked",
                violation_error_message="已预约人数不能超过可预约人数",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="bookings_slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def available(self) -> int:
        return max(self.capacity - self.booked_count, 0)


class BookingState(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    CHECKED_IN = "checked_in", "已签到"
    MISSED = "missed", "已爽约"


LIVE_BOOKING_STATES = (BookingState.BOOKED, BookingState.CHECKED_IN)


class TicketState(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    DONE = "done", "已办结"
    SKIPPED = "skipped", "已过号"


class QueueTicket(models.Model):
    """A queue number (排队号) of one hall and day: "A012", "Y003" for a booked person.

    A window serves a ticket when their kinds match and, for a ticket of one department
    (a specialist window's), the window is that department's. `wait_seconds` is the time from
    taking the number to its first call.
    """

    hall = models.ForeignKey(
        "regions.Hall", verbose_name="大厅", on_delete=models.PROTECT, related_name="queue_tickets"
    )
    date = models.DateField("日期")
    prefix = models.CharField("号码前缀", max_length=2)
    number = models.PositiveIntegerField("序号")
    code = models.CharField("排队号", max_length=10)
    window_kind = models.CharField("窗口类型", max_length=16, choices=Window.Kind.choices)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name="部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ImplementationItem",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.BooleanField("预约优先", default=False)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name="取号人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
    )
    state = models.CharField(
        "状态", max_length=10, choices=TicketState.choices, default=TicketState.WAITING
    )
    taken_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)
    announced_at = models.DateTimeField("最近叫号时间", null=True, blank=True)
    call_count = models.PositiveSmallIntegerField("叫号次数", default=0)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    window = models.ForeignKey(
        "regions.Window",
        verbose_name="叫号窗口",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
    )
    called_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name="叫号人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    wait_seconds = models.PositiveIntegerField("等候时长（秒）", null=True, blank=True)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["hall_id", "date", "taken_at"]
        indexes = [
            models.Index(
                fields=["hall", "date", "state", "window_kind"], name="bookings_ticket_queue"
            ),
            models.Index(fields=["hall", "date", "announced_at"], name="bookings_ticket_screen"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "date", "code"], name="bookings_ticket_code_per_hall_day"
            ),
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(state="called"),
                name="bookings_one_called_ticket_per_window",
                violation_error_message="该窗口已有正在办理的号码",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TicketCounter(models.Model):
    """The last number given out per hall, day and prefix; locked while a number is taken."""

    hall = models.ForeignKey("regions.Hall", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    prefix = models.CharField(max_length=2)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "取号计数"
        verbose_name_plural = "取号计数"
        constraints = [
            models.UniqueConstraint(fields=["hall", "date", "prefix"], name="bookings_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.last_number}"


class Booking(models.Model):
    """One person's place in a slot, shown to them by its booking code (预约码)."""

    code = models.CharField("预约码", max_length=10, unique=True)
    slot = models.ForeignKey(
        Slot, verbose_name="预约时段", on_delete=models.PROTECT, related_name="bookings"
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name="预约人", on_delete=models.PROTECT, related_name="bookings"
    )
    item = models.ForeignKey(
        "catalog.ImplementationItem",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    state = models.CharField(
        "状态", max_length=12, choices=BookingState.choices, default=BookingState.BOOKED
    )
    created_at = models.DateTimeField("预约时间")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    ticket = models.OneToOneField(
        QueueTicket,
        verbose_name="排队号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booking",
    )

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["person", "state"], name="bookings_booking_person"),
            models.Index(fields=["state", "reminded_at"], name="bookings_booking_sweep"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=Q(state__in=["booked", "checked_in"]),
                name="bookings_one_live_booking_per_slot",
                violation_error_message="您已预约该时段",
            )
        ]

    def __str__(self) -> str:
        return self.code


class EventAction(models.TextChoices):
    BOOKED = "booked", "预约"
    CANCELLED = "cancelled", "取消预约"
    REMINDED = "reminded", "发送提醒"
    CHECKED_IN = "checked_in", "签到"
    MISSED = "missed", "爽约"
    TAKEN = "taken", "取号"
    CALLED = "called", "叫号"
    RECALLED = "recalled", "重呼"
    SKIPPED = "skipped", "过号"
    FINISHED = "finished", "办结"


class BookingEvent(models.Model):
    """An append-only record of one change to a booking or a ticket: who, when, what."""

    booking = models.ForeignKey(
        Booking,
        verbose_name="预约",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    ticket = models.ForeignKey(
        QueueTicket,
        verbose_name="排队号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    action = models.CharField("事件", max_length=12, choices=EventAction.choices)
    actor = models.CharField("操作人", max_length=200)
    at = models.DateTimeField("时间", db_index=True)
    detail = models.JSONField("说明", default=dict, blank=True)

    class Meta:
        verbose_name = "预约与排队记录"
        verbose_name_plural = "预约与排队记录"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False) | Q(ticket__isnull=False),
                name="bookings_event_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
