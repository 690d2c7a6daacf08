"""Core models: the working-day calendar, the audit chain, and the periodic-job schedule."""

from __future__ import annotations

from django.db import models


class CalendarDayKind(models.TextChoices):
    WORKDAY = "workday", "工作日"
    HOLIDAY = "holiday", "休息日"


class CalendarOverride(models.Model):
    """A date declared a working day or a day off; it wins over the `chinesecalendar` library."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField("说明", max_length=50, blank=True, help_text="如：春节、春节调休上班")
    year = models.ForeignKey(
        "CalendarYear",
        verbose_name="所属年度安排",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="days",
        help_text="随年度安排导入的日期；单独添加的调整可不填。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose holiday schedule (the State Council notice) an administrator has loaded."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField(
        "依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    loaded_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class AuditRecord(models.Model):
    """One append-only, hash-chained audit record.

    `hash` is the SM3 digest of the record's content together with the previous record's hash,
    so an edited record breaks its own hash and a removed one breaks the chain after it.
    The application's database user needs only INSERT and SELECT on this table.
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.CharField("操作人", max_length=150)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    source_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要(SM3)", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor}"


class AuditChainHead(models.Model):
    """The single row locked while appending, holding the last sequence number and hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class ScheduledJob(models.Model):
    """When each periodic job last ran and next runs; rows are locked so one worker enqueues it."""

    name = models.CharField("任务", max_length=100, unique=True)
    next_run_at = models.DateTimeField("下次运行")
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name
