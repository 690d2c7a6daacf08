"""Cases (办件): an application for one implementation item, from draft to delivery.

The state machine is in `states.py`, the clocks in `rules.py`, every write in `services/`.
A case keeps the item version it was submitted under. Its history is the `CaseEvent` table: the
applicant's timeline shows the public rows of it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from yiwang.catalog.codes import HandlingForm


class CaseState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正"
    IN_PROGRESS = "in_progress", "办理中"
    SPECIAL = "special", "特别程序中"
    COMPLETED = "completed", "已办结"
    DELIVERED = "delivered", "已送达"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.CORRECTION,
    CaseState.IN_PROGRESS,
    CaseState.SPECIAL,
)
CLOCK_STATES = (CaseState.IN_PROGRESS, CaseState.SPECIAL, CaseState.CORRECTION)


class ApplicantType(models.TextChoices):
    PERSON = "1", "自然人"
    ORGANISATION = "2", "法人及其他组织"


class IdType(models.TextChoices):
    """证件类型 of an applicant (GB/T 39046 uses the document-type code list) [local values]."""

    RESIDENT_ID = "111", "居民身份证"
    USCC = "001", "统一社会信用代码"


class Delivery(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    COURIER = "courier", "快递送达"
    LICENSE = "license", "电子证照"


class Light(models.TextChoices):
    GREEN = "green", "正常"
    YELLOW = "yellow", "预警"
    RED = "red", "超期"
    PAUSED = "paused", "暂停计时"
    NONE = "none", "未计时"


class Case(models.Model):
    """One application (办件). `number` is given on submission (43 characters)."""

    number = models.CharField("办件编号", max_length=50, unique=True, null=True, blank=True)
    query_password = models.CharField("查询密码（摘要）", max_length=128, blank=True)
    item = models.ForeignKey(
        "catalog.ImplementationItem", verbose_name="事项", on_delete=models.PROTECT
    )
    version = models.ForeignKey(
        "catalog.ItemVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="+"
    )
    # No index of their own for `department`, `applicant_user` and `enterprise`: the composite
    # indexes in Meta begin with them, and every index is written again on each submission.
    department = models.ForeignKey(
        "regions.Department",
        verbose_name="办理部门",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True)
    state = models.CharField(
        "状态", max_length=12, choices=CaseState.choices, default=CaseState.DRAFT
    )

    # Who applies. `applicant_user` is the account that submitted online (the person, or the
    # agent acting for `enterprise`); null for a window intake of someone without an account.
    applicant_user = models.ForeignKey(
        "accounts.User",
        verbose_name="申请账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name="申请人（自然人）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name="申请单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    applicant_type = models.CharField("申请人类型", max_length=1, choices=ApplicantType.choices)
    applicant_name = models.CharField("申请人名称", max_length=200)
    applicant_id_type = models.CharField("证件类型", max_length=3, choices=IdType.choices)
    applicant_id_number = models.CharField("证件号码", max_length=18)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    agent_name = models.CharField("经办人", max_length=50, blank=True)
    agent_id_number = models.CharField("经办人证件号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=11)
    address = models.CharField("联系地址", max_length=200, blank=True)
    channel = models.CharField("办理形式", max_length=1, choices=HandlingForm.choices)
    form_data = models.JSONField("申请表", default=dict, blank=True)
    delivery = models.CharField(
        "送达方式", max_length=10, choices=Delivery.choices, default=Delivery.PICKUP
    )
    delivery_address = models.CharField("收件地址", max_length=200, blank=True)
    # Null (not "") when absent, so the unique constraint leaves cases without a key alone.
    idempotency_key = models.CharField(  # noqa: DJ001
        "提交标识", max_length=64, null=True, blank=True
    )
    intake_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name="收件人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name="受理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    approved = models.BooleanField("准予许可", null=True, blank=True)
    result_name = models.CharField("办理结果", max_length=200, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    closed_reason = models.TextField("不予受理、不予许可或撤回理由", blank=True)

    # The two clocks (working days, or calendar days where the item says so).
    legal_limit = models.PositiveIntegerField("法定时限", default=0)
    promised_limit = models.PositiveIntegerField("承诺时限", default=0)
    calendar_days = models.BooleanField("按自然日计", default=False)
    extension_days = models.PositiveIntegerField("延长天数", default=0)
    extended_at = models.DateTimeField("延长时间", null=True, blank=True)
    legal_due_on = models.DateField("法定办结日期", null=True, blank=True)
    promised_due_on = models.DateField("承诺办结日期", null=True, blank=True, db_index=True)
    yellow_from = models.DateField("预警起始日", null=True, blank=True)
    due_provisional = models.BooleanField("期限含暂定日历", default=False)
    paused = models.BooleanField("暂停计时", default=False)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant_user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="case_submit_once_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["department", "-submitted_at"], name="case_department_recent"),
            models.Index(fields=["applicant_user", "state"]),
            models.Index(fields=["enterprise", "state"]),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 {self.pk}"


class StepState(models.TextChoices):
    WAITING = "waiting", "未开始"
    ACTIVE = "active", "待办"
    DONE = "done", "已办"


class CaseStep(models.Model):
    """A step of the case's item version, assigned to a role (and, once claimed, to a person)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    # The case's department, copied when the steps are made (a case never changes department):
    # the to-do list reads the department's active steps without touching the city's.
    department = models.ForeignKey(
        "regions.Department",
        verbose_name="办理部门",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=100)
    role = models.CharField("办理角色", max_length=24)
    limit = models.PositiveSmallIntegerField("环节时限（工作日）", default=1)
    state = models.CharField(
        "状态", max_length=8, choices=StepState.choices, default=StepState.WAITING
    )
    assignee = models.ForeignKey(
        "accounts.Staff",
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    due_on = models.DateField("环节到期日", null=True, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="case_step_order_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="active"), name="one_active_step_per_case"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "role"]),
            models.Index(
                fields=["department", "role"],
                condition=Q(state="active"),
                name="case_step_active_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseMaterial(models.Model):
    """A file the applicant provided (online or scanned at the window) for one material."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material",
        verbose_name="材料",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField("材料名称", max_length=300)
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    file_name = models.CharField("文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=8)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    round = models.PositiveSmallIntegerField("提交轮次", default=0)  # 0: application, n: n-th 补正
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    replaced = models.BooleanField("已被替换", default=False)

    class Meta:
        verbose_name = "申请材料文件"
        verbose_name_plural = "申请材料文件"
        ordering = ["case", "material__seq", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class PauseKind(models.TextChoices):
    CORRECTION = "correction", "补齐补正"
    SPECIAL = "special", "特别程序"


class SpecialKind(models.TextChoices):
    """特别程序种类 (time not counted, 行政许可法 art. 45)."""

    HEARING = "hearing", "听证"
    INSPECTION = "inspection", "检验检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    SURVEY = "survey", "现场勘验"
    PUBLICITY = "publicity", "公示"
    OTHER = "other", "其他"


class CasePause(models.Model):
    """A time the clocks stood still: a correction (补正) or a special procedure (特别程序)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("类型", max_length=12, choices=PauseKind.choices)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    # Correction: [{"material": seq or null, "name": ..., "problem": ...}]
    items = models.JSONField("补正内容", default=list, blank=True)
    special_kind = models.CharField(
        "特别程序种类", max_length=16, choices=SpecialKind.choices, blank=True
    )
    special_limit = models.PositiveSmallIntegerField(
        "特别程序时限（工作日）", null=True, blank=True
    )
    result = models.TextField("结果", blank=True)
    document_number = models.CharField("文书编号", max_length=60, blank=True)
    resume_state = models.CharField("恢复状态", max_length=12, blank=True)

    class Meta:
        verbose_name = "暂停计时"
        verbose_name_plural = "暂停计时"
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_case"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class EventKind(models.TextChoices):
    DRAFT_SAVED = "draft_saved", "保存草稿"
    SUBMITTED = "submitted", "提交申请"
    INTAKE = "intake", "窗口收件"
    ACCEPTED = "accepted", "受理"
    REFUSED = "refused", "不予受理"
    CORRECTION_REQUESTED = "correction_requested", "补正告知"
    CORRECTED = "corrected", "补正提交"
    STEP_CLAIMED = "step_claimed", "签收环节"
    STEP_RELEASED = "step_released", "退回待办池"
    STEP_PASSED = "step_passed", "环节通过"
    STEP_RETURNED = "step_returned", "环节退回"
    SPECIAL_STARTED = "special_started", "启动特别程序"
    SPECIAL_ENDED = "special_ended", "特别程序结束"
    EXTENDED = "extended", "延长审批期限"
    APPROVED = "approved", "办结（准予许可）"
    DENIED = "denied", "办结（不予许可）"
    DELIVERED = "delivered", "送达"
    WITHDRAWN = "withdrawn", "撤回申请"
    PII_REVEALED = "pii_revealed", "查看申请人完整信息"


class ActionCode(models.TextChoices):
    """办理动作 of the handling-step data set: 通过, 退回, 其他."""

    PASS = "1", "通过"
    RETURN = "2", "退回"
    OTHER = "9", "其他"


class CaseEvent(models.Model):
    """One thing that happened to a case: who, when, what, the opinion. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=24, choices=EventKind.choices)
    action = models.CharField("办理动作", max_length=1, choices=ActionCode.choices)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    step_name = models.CharField("环节", max_length=100, blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("办理人", max_length=100, blank=True)
    actor_role = models.CharField("角色", max_length=24, blank=True)
    opinion = models.TextField("意见", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    public = models.BooleanField("申请人可见", default=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "办件事件"
        verbose_name_plural = "办件事件"
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseNotice(models.Model):
    """A document issued on a case (受理通知书 …): its number and the facts it states."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书类型", max_length=16)
    document_number = models.CharField("文书编号", max_length=60, unique=True)
    content = models.JSONField("内容", default=dict)
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = "办件文书"
        ordering = ["case", "issued_at"]

    def __str__(self) -> str:
        return self.document_number


class DailyCounter(models.Model):
    """The last sequence number given under a key on a day: case numbers, document numbers."""

    key = models.CharField(max_length=60)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="counter_once_a_day")]

    def __str__(self) -> str:
        return f"{self.key} {self.day}: {self.last}"
