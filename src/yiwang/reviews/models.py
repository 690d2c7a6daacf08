"""Good/bad review (好差评): ratings of services, rectification tickets for bad ones, and the
staff performance records (attendance, ability scores).

Codes follow REFERENCE §4 (GB/T 39046): five levels, channels 1–7. Statistics read `Review` rows
by month; a review removed by an upheld appeal stays on record with `excluded=True`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    """满意度 (GB/T 39046 codes). One province uses the reverse order: map at the boundary."""

    VERY_SATISFIED = "1", "非常满意"
    SATISFIED = "2", "满意"
    BASICALLY_SATISFIED = "3", "基本满意"
    DISSATISFIED = "4", "不满意"
    VERY_DISSATISFIED = "5", "非常不满意"


GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
# Points for the average rating: 非常满意 5 … 非常不满意 1.
POINTS = {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}


class Channel(models.TextChoices):
    """评价渠道 (GB/T 39046)."""

    PC = "1", "PC端"
    MOBILE = "2", "移动端"
    QR = "3", "二维码"
    HALL_TABLET = "4", "政务大厅平板"
    HALL_TERMINAL = "5", "政务大厅其他终端"
    PHONE = "6", "电话"
    SMS = "7", "短信"


class Occasion(models.TextChoices):
    ONLINE = "online", "一事一评（网上办件）"
    ON_SITE = "on_site", "一次一评（窗口服务）"


ONLINE_INDICATORS = {
    "efficiency": "办事效率",
    "guide_accuracy": "办事指南准确度",
    "convenience": "办事便捷度",
    "usability": "平台操作性",
}
ON_SITE_INDICATORS = {
    "service_efficiency": "服务效率",
    "service_level": "服务水平",
    "service_attitude": "服务态度",
}


class Review(models.Model):
    """One rating of one service occasion: a case (online) or a window service (on site).

    `occasion_key` names the occasion ("case:12", "window:3:ticket:88"); `sequence` counts the
    evaluations of it (1 first, 2 second …): a second rating never overwrites the first."""

    occasion = models.CharField("评价类型", max_length=8, choices=Occasion.choices)
    occasion_key = models.CharField("评价对象", max_length=60)
    sequence = models.PositiveSmallIntegerField("评价次数", default=1)
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, null=True, blank=True,
        related_name="reviews",
    )  # fmt: skip
    item = models.ForeignKey(
        "catalog.ImplementationItem", verbose_name="事项", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        "regions.Department", verbose_name="被评价部门", on_delete=models.PROTECT, related_name="+"
    )
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True)
    officer = models.ForeignKey(
        "accounts.Staff", verbose_name="被评价工作人员", on_delete=models.PROTECT, null=True,
        blank=True, related_name="reviews",
    )  # fmt: skip
    window = models.ForeignKey(
        "regions.Window", verbose_name="窗口", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    channel = models.CharField("评价渠道", max_length=1, choices=Channel.choices)
    level = models.CharField("满意度", max_length=1, choices=Level.choices)
    indicators = models.JSONField("评价指标", default=list, blank=True)
    text = models.TextField("评价内容", blank=True)
    rater = models.ForeignKey(
        "accounts.User", verbose_name="评价人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    rater_phone = models.CharField("评价人手机号码", max_length=11, blank=True)
    is_default = models.BooleanField("默认评价", default=False)
    excluded = models.BooleanField("申诉成立，不计入指标", default=False)
    # A later evaluation of the same occasion counts instead (both stay on record).
    superseded = models.BooleanField("已有追加评价", default=False)
    created_at = models.DateTimeField("评价时间")
    month = models.DateField("统计月份", db_index=True)  # the first day of the month

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["occasion_key", "sequence"], name="one_review_per_occasion_and_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "department"]),
            models.Index(fields=["month", "officer"]),
            models.Index(fields=["month", "item"]),
        ]

    def __str__(self) -> str:
        return f"{self.occasion_key}#{self.sequence} {self.get_level_display()}"


class TicketState(models.TextChoices):
    OPEN = "open", "待回访"
    VISITED = "visited", "已回访，待处理"
    RECTIFYING = "rectifying", "整改中（台账）"
    HANDLED = "handled", "已处理，待审核"
    APPEALED = "appealed", "申诉复核中"
    CLOSED = "closed", "已办结"


class Resolution(models.TextChoices):
    RECTIFY_NOW = "rectify_now", "立即整改"
    LEDGER = "ledger", "建立台账限期整改"
    EXPLAIN = "explain", "解释说明"


class AppealResult(models.TextChoices):
    NONE = "", "无"
    PENDING = "pending", "申诉中"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Invitation(models.Model):
    """An invitation to rate a finished case: a short code for the SMS link (no login needed)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="invitation")
    code = models.CharField("邀请码", max_length=16, unique=True)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("有效期至")

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"

    def __str__(self) -> str:
        return self.code


class Ticket(models.Model):
    """A rectification ticket (差评整改工单) opened by a bad review for the handling department."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="ticket")
    department = models.ForeignKey(
        "regions.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True)
    state = models.CharField(
        "状态", max_length=12, choices=TicketState.choices, default=TicketState.OPEN
    )
    opened_at = models.DateTimeField("生成时间")
    due_on = models.DateField("整改期限", db_index=True)
    yellow_from = models.DateField("预警起始日")
    visit_method = models.CharField("回访方式", max_length=10, blank=True)
    visit_note = models.TextField("回访情况", blank=True)
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    resolution = models.CharField("处理方式", max_length=12, choices=Resolution.choices, blank=True)
    ledger_due_on = models.DateField("台账整改期限", null=True, blank=True)
    outcome = models.TextField("处理结果", blank=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    resume_state = models.CharField("申诉前状态", max_length=12, blank=True)
    appeal = models.CharField(
        "申诉", max_length=10, choices=AppealResult.choices, blank=True, default=AppealResult.NONE
    )
    appeal_reason = models.TextField("申诉理由", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    sent_back = models.PositiveSmallIntegerField("退回次数", default=0)

    class Meta:
        verbose_name = "差评整改工单"
        verbose_name_plural = "差评整改工单"
        ordering = ["due_on"]
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return f"工单 {self.pk}"


class TicketEvent(models.Model):
    """One thing done on a ticket: who, when, what, the note. Append-only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "工单记录"
        verbose_name_plural = "工单记录"
        ordering = ["ticket", "at", "pk"]

    def __str__(self) -> str:
        return self.action


class Attendance(models.Model):
    """A window officer's working day at a window: sign in, sign out, or leave (请假)."""

    class Kind(models.TextChoices):
        PRESENT = "present", "出勤"
        LEAVE = "leave", "请假"

    staff = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="attendance")
    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.PRESENT)
    window = models.ForeignKey(
        "regions.Window", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "考勤"
        verbose_name_plural = "考勤"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="attendance_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.day}"


class AbilityScore(models.Model):
    """A manager's monthly scores of an officer: 德、能、勤、绩、廉 (0–100 each)."""

    staff = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="scores")
    month = models.DateField("月份")
    morality = models.PositiveSmallIntegerField("德")
    ability = models.PositiveSmallIntegerField("能")
    diligence = models.PositiveSmallIntegerField("勤")
    performance = models.PositiveSmallIntegerField("绩")
    integrity = models.PositiveSmallIntegerField("廉")
    scored_by = models.ForeignKey(
        "accounts.Staff", on_delete=models.PROTECT, related_name="+", verbose_name="评分人"
    )
    scored_at = models.DateTimeField("评分时间")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "德能勤绩廉评分"
        verbose_name_plural = "德能勤绩廉评分"
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="score_once_a_month"),
            models.CheckConstraint(
                condition=Q(
                    morality__lte=100,
                    ability__lte=100,
                    diligence__lte=100,
                    performance__lte=100,
                    integrity__lte=100,
                ),
                name="scores_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m}"
