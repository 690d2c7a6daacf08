"""The reporting outbox: one row per record of a case data set owed to the provincial platform."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from yiwang.reporting.codes import Dataset

__all__ = ["Dataset", "ReportRecord", "ReportStatus"]

SOURCE_KEY_MAX_LENGTH = 128


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待上报"
    SENDING = "sending", "上报中"
    SENT = "sent", "已上报"
    FAILED = "failed", "上报失败"


OPEN_STATUSES = (ReportStatus.PENDING, ReportStatus.SENDING)


class ReportRecord(models.Model):
    """One record (a row of GB/T 39046-2020 table 5, 6, 7 or 8) and its delivery state.

    `(dataset, source_key)` is what the case domain says the record is about ("case 12, step 3"):
    reporting the same thing twice keeps one row. `record_id` is sent as the record's id, and the
    provincial platform keeps a repeated id once, so a retry never reports twice.
    `next_attempt_at` is set while the record still has to go out (pending, or sending with a
    lease the retry sweep takes over when it runs out) and null once it is sent or given up.
    `last_error` holds an error code and field names, never personal data.
    """

    record_id = models.UUIDField("上报记录标识", default=uuid.uuid4, unique=True, editable=False)
    dataset = models.CharField("数据集", max_length=16, choices=Dataset.choices)
    source_key = models.CharField("来源标识", max_length=SOURCE_KEY_MAX_LENGTH)
    case_number = models.CharField("办件编号", max_length=43)
    payload = models.JSONField("上报内容")
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True, db_index=True)
    last_error = models.CharField("最近错误", max_length=200, blank=True)
    receipt_id = models.CharField("回执编号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据上报记录"
        verbose_name_plural = "数据上报记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "source_key"], name="reporting_record_dataset_source_key"
            ),
        ]
        indexes = [
            # Records of one case go out in order: a record waits for the earlier open ones.
            models.Index(fields=["case_number", "id"], name="reporting_record_case"),
            models.Index(fields=["status", "dataset"], name="reporting_record_status"),
        ]
        permissions = [("retry_reportrecord", "可以重新上报数据")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_dataset_display()} {self.case_number}"
