"""Matters: basic catalog items (基本目录), implementation items (实施清单) with their
versions, materials and steps. The code lists are in `codes.py`, the code rules in `rules.py`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from yiwang.catalog.codes import (
    BodyNature,
    CaseKind,
    ExerciseLevel,
    ItemSource,
    MatterType,
    OnlineDepth,
    Reach,
    TimeUnit,
)


class BasicItem(models.Model):
    """A matter as defined once, nationally or provincially (or locally), with its 12-char code.

    Fields from the provincial catalog are upstream (read-only here); `local_note` is local.
    """

    code = models.CharField("基本编码", max_length=12, unique=True)
    name = models.CharField("事项名称", max_length=200)
    matter_type = models.CharField("事项类型", max_length=2, choices=MatterType.choices)
    legal_basis = models.TextField("设定依据", blank=True)
    level = models.CharField("行使层级", max_length=1, choices=ExerciseLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="主项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    source = models.CharField("来源", max_length=12, choices=ItemSource.choices)
    is_active = models.BooleanField("有效", default=True)
    upstream_batch = models.CharField("同步批次", max_length=40, blank=True)
    synced_at = models.DateTimeField("同步时间", null=True, blank=True)
    local_note = models.TextField("本地备注", blank=True)

    UPSTREAM_FIELDS = ("name", "matter_type", "legal_basis", "level", "parent", "is_active")

    class Meta:
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿（未发布）"
    PUBLISHED = "published", "已发布"
    SUSPENDED = "suspended", "暂停办理"
    REVOKED = "revoked", "已取消"


class ImplementationItem(models.Model):
    """One basic item as one department carries it out in one region (31-character code).

    Its content lives in versions; `current_version` is the published one that the guide shows
    and new cases use. Search and browsing columns are copied from the current version.
    """

    code = models.CharField("实施编码", max_length=36, unique=True)
    basic_item = models.ForeignKey(
        BasicItem, verbose_name="基本目录事项", on_delete=models.PROTECT, related_name="items"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name="实施主体",
        on_delete=models.PROTECT,
        related_name="items",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="实施区划", on_delete=models.PROTECT, related_name="items"
    )
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True, editable=False)
    level = models.CharField("行使层级", max_length=1, choices=ExerciseLevel.choices)
    body_nature = models.CharField(
        "实施主体性质", max_length=1, choices=BodyNature.choices, default=BodyNature.STATUTORY
    )
    status = models.CharField(
        "状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    status_reason = models.CharField("暂停或取消原因", max_length=500, blank=True)
    current_version = models.ForeignKey(
        "ItemVersion",
        verbose_name="现行版本",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copied from the current version on publishing, for browsing and search.
    name = models.CharField("事项名称", max_length=200, db_index=True)
    matter_type = models.CharField("事项类型", max_length=2, choices=MatterType.choices)
    search_text = models.TextField("检索文本", blank=True, editable=False)
    # "p:出境入境|e:设立变更|…": theme filters as a plain substring match on every database.
    theme_keys = models.CharField("主题索引", max_length=1000, blank=True, editable=False)
    person_themes = models.JSONField("自然人主题", default=list, blank=True)
    enterprise_themes = models.JSONField("法人主题", default=list, blank=True)
    application_count = models.PositiveIntegerField("办件量", default=0, db_index=True)

    class Meta:
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单事项"
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "region_prefix"])]

    def __str__(self) -> str:
        return self.name


class VersionState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "历史"


class ItemVersion(models.Model):
    """The content of an implementation item, edited as a draft and published as a version.
    Cases keep the version they were submitted under; old versions stay readable."""

    item = models.ForeignKey(ImplementationItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    state = models.CharField(
        "状态", max_length=12, choices=VersionState.choices, default=VersionState.DRAFT
    )
    name = models.CharField("事项名称", max_length=200)
    case_kind = models.CharField("办件类型", max_length=1, choices=CaseKind.choices)
    legal_limit = models.PositiveIntegerField("法定办结时限")
    legal_limit_unit = models.CharField(
        "法定时限单位", max_length=8, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    legal_limit_note = models.CharField("法定时限说明", max_length=500, blank=True)
    promised_limit = models.PositiveIntegerField("承诺办结时限")
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=8, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    promised_limit_note = models.CharField("承诺时限说明", max_length=500, blank=True)
    acceptance_conditions = models.TextField("受理条件", blank=True)
    joint_bodies = models.CharField("联办机构", max_length=500, blank=True)
    intermediary_services = models.CharField("中介服务", max_length=500, blank=True)
    quantity_limit = models.CharField("数量限制", max_length=500, blank=True)
    result_name = models.CharField("审批结果名称", max_length=200, blank=True)
    result_type = models.CharField("审批结果类型", max_length=50, blank=True)
    result_license_type = models.CharField("结果证照类型代码", max_length=40, blank=True)
    charged = models.BooleanField("是否收费", default=False)
    fee_basis = models.TextField("收费依据", blank=True)
    fees = models.JSONField("收费项目", default=list, blank=True)  # [{name, amount, basis}]
    reach = models.CharField("通办范围", max_length=10, choices=Reach.choices, blank=True)
    service_objects = models.JSONField("服务对象", default=list)  # ServiceObject codes
    person_themes = models.JSONField("自然人主题", default=list, blank=True)
    enterprise_themes = models.JSONField("法人主题", default=list, blank=True)
    handling_forms = models.JSONField("办理形式", default=list)  # HandlingForm codes
    special_procedures = models.CharField("特别程序", max_length=500, blank=True)
    bookable = models.BooleanField("支持预约", default=False)
    payable_online = models.BooleanField("支持网上支付", default=False)
    deliverable = models.BooleanField("支持物流快递", default=False)
    kiosk = models.BooleanField("支持自助终端", default=False)
    online = models.BooleanField("网上办理", default=False)
    online_url = models.URLField("网办地址", blank=True)
    online_depth = models.CharField(
        "网上办理深度", max_length=1, choices=OnlineDepth.choices, default=OnlineDepth.PUBLIC
    )
    min_real_name_level = models.PositiveSmallIntegerField("网上申请所需实名等级", default=2)
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    visits_reason = models.CharField("到现场原因", max_length=500, blank=True)
    place = models.CharField("办理地点", max_length=300, blank=True)
    hours = models.CharField("办理时间", max_length=300, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=50, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=50, blank=True)
    faq = models.JSONField("常见问题", default=list, blank=True)  # [{q, a}]
    form_schema = models.JSONField("申请表单", default=list, blank=True)
    created_by = models.CharField("编辑人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.CharField("发布人", max_length=150, blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="draft"),
                name="one_draft_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Material(models.Model):
    """A material an applicant provides (code: implementation code + 3 digits)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=300)
    issuer = models.CharField("出具单位", max_length=200, blank=True)
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=0)
    required = models.BooleanField("必要", default=True)
    form_file = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample_file = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    license_type_code = models.CharField("可替代的电子证照类型", max_length=40, blank=True)
    note = models.CharField("填报说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="material_seq_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return f"{self.version.item.code}{self.seq:03d}"


class Step(models.Model):
    """A step of the handling process that the case workflow runs."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=100)
    role = models.CharField("办理角色", max_length=24)  # accounts.Role value
    limit = models.PositiveSmallIntegerField("环节时限（工作日）", default=1)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="step_order_once")]

    def __str__(self) -> str:
        return self.name


class SyncBatch(models.Model):
    """One change batch pulled from the provincial catalog, applied once and recorded."""

    class State(models.TextChoices):
        APPLIED = "applied", "已应用"
        FAILED = "failed", "失败（未应用）"

    batch_no = models.CharField("批次号", max_length=40, unique=True)
    batch_time = models.DateTimeField("批次时间")
    state = models.CharField("状态", max_length=10, choices=State.choices)
    inserted = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    deleted = models.PositiveIntegerField("删除", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    error = models.TextField("错误", blank=True)
    applied_at = models.DateTimeField("处理时间", auto_now=True)

    class Meta:
        verbose_name = "省级目录同步批次"
        verbose_name_plural = "省级目录同步批次"
        ordering = ["-batch_time"]

    def __str__(self) -> str:
        return self.batch_no
