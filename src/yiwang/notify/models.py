"""The outbox: every SMS is a row written in the caller's transaction, then delivered by a task."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from yiwang.core.masking import mask_phone

CATEGORY_MAX_LENGTH = 32


class Channel(models.TextChoices):
    SMS = "sms", "短信"


class Category(models.TextChoices):
    """What a message is for; free text is allowed, these are the usual ones."""

    VERIFICATION = "verification", "验证码"
    CASE = "case", "办件"
    REVIEW = "review", "评价"
    NOTICE = "notice", "通知"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class OutboxMessage(models.Model):
    """One message to one phone and its delivery state.

    `next_attempt_at` is set while the message still has to go out (pending, or sending with a
    lease that the retry sweep takes over when it runs out) and is null once it is sent or
    given up, so the sweep reads one index. `last_error` holds an error code and never
    personal data. `client_msg_id` is sent to the gateway, which drops a repeated one.
    """

    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, default=Channel.SMS)
    client_msg_id = models.UUIDField("发送标识", default=uuid.uuid4, unique=True, editable=False)
    phone = models.CharField("手机号码", max_length=11)
    template = models.CharField("模板", max_length=64)
    params = models.JSONField("模板参数", default=dict, blank=True)
    text = models.TextField("短信内容")
    category = models.CharField("用途", max_length=CATEGORY_MAX_LENGTH, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True, db_index=True)
    last_error = models.CharField("最近错误", max_length=200, blank=True)
    provider_message_id = models.CharField("服务商消息号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信发件箱"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The per-phone rate limit counts a phone's recent rows.
            models.Index(fields=["phone", "created_at"], name="notify_outbox_phone_created"),
        ]
        permissions = [("resend_outboxmessage", "可以重新发送短信")]

    def __str__(self) -> str:
        return f"#{self.pk} {mask_phone(self.phone)} {self.template} {self.get_status_display()}"
