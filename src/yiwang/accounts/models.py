"""Accounts: who signs in (natural persons, staff), the enterprises persons act for, and the
roles staff hold. Identity rules live in `rules.py`; every write goes through `services/`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """Anyone who signs in. A person has a `person` profile, a staff member a `staff` profile.

    Persons sign in with their resident ID number or mobile phone; their `username` is an opaque
    generated handle, so no personal data ends up in places that show usernames.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        STAFF = "staff", "工作人员"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RealNameLevel(models.IntegerChoices):
    """Real-name levels. L2 is the national rule (国办函〔2016〕108号): the ID number and at least
    two of phone, social security card, bank card, housing-fund account, driving licence record."""

    BASIC = 1, "一级：注册（身份证号码、手机号码）"
    VERIFIED = 2, "二级：实名（身份证号码加两项以上信息比对一致）"
    IN_PERSON = 3, "三级：高级实名（窗口或人脸现场核验）"


class Person(models.Model):
    """A natural person (自然人) who uses the platform."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="person")
    name = models.CharField("姓名", max_length=50)
    resident_id = models.CharField("居民身份证号码", max_length=18, unique=True)
    phone = models.CharField("手机号码", max_length=11, unique=True)
    real_name_level = models.PositiveSmallIntegerField(
        "实名等级", choices=RealNameLevel.choices, default=RealNameLevel.BASIC
    )
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        return self.name


class EvidenceKind(models.TextChoices):
    PHONE = "phone", "手机号码"
    SOCIAL_SECURITY = "social_security", "社会保障卡"
    BANK_CARD = "bank_card", "银行卡"
    HOUSING_FUND = "housing_fund", "住房公积金账户"
    DRIVING_LICENCE = "driving_licence", "驾驶证"
    IN_PERSON = "in_person", "现场核验"


class RealNameEvidence(models.Model):
    """One item matched against its authoritative source (e.g. the bank card against UnionPay)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("比对项", max_length=20, choices=EvidenceKind.choices)
    reference = models.CharField("号码（脱敏）", max_length=40, blank=True)
    source = models.CharField("核验来源", max_length=50)
    verified_at = models.DateTimeField("核验时间")

    class Meta:
        verbose_name = "实名比对记录"
        verbose_name_plural = "实名比对记录"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="evidence_once_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Enterprise(models.Model):
    """A legal person (法人): an enterprise or organisation with its unified social credit code."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    legal_representative_name = models.CharField("法定代表人", max_length=50)
    legal_representative_resident_id = models.CharField("法定代表人身份证号码", max_length=18)
    legal_representative = models.ForeignKey(
        Person,
        verbose_name="法定代表人账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_enterprises",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return self.name


class AgentScope(models.TextChoices):
    ALL = "all", "全部业务（申请、查询、签收）"
    APPLY = "apply", "申请办理与查询"
    QUERY = "query", "仅查询"


class AgentGrant(models.Model):
    """The legal representative lets a person act for the enterprise (经办人授权)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="grants")
    agent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agent_grants")
    scope = models.CharField("授权范围", max_length=10, choices=AgentScope.choices)
    valid_until = models.DateField("有效期至")
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "经办人授权"
        verbose_name_plural = "经办人授权"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "agent"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_grant_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.agent}"


class Role(models.TextChoices):
    WINDOW_OFFICER = "window_officer", "窗口人员"
    REVIEWER = "reviewer", "审核人员"
    APPROVER = "approver", "审批人（部门负责人）"
    CATALOG_MANAGER = "catalog_manager", "事项管理员"
    DATA_SHARING_OFFICER = "data_sharing_officer", "数据共享专员"
    SUPERVISOR = "supervisor", "电子监察员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


class Staff(models.Model):
    """A staff member (工作人员) of one department; sees what their department and region allow."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField("姓名", max_length=50)
    department = models.ForeignKey(
        "regions.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="staff"
    )
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True, editable=False)
    phone = models.CharField("手机号码", max_length=11, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A role held by a staff member. The database refuses a second of the three administrator
    roles for one person (三权分立): system, security and audit administration stay apart."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["staff", "role"], name="role_once_per_staff"),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(role__in=[r.value for r in ADMIN_ROLES]),
                name="one_admin_role_per_staff",
                violation_error_message="三员（系统、安全、审计管理员）不得由同一人兼任",
            ),
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class OneTimeCode(models.Model):
    """An SMS verification code: single use, expires, limited attempts. Only its hash is kept."""

    class Purpose(models.TextChoices):
        REGISTER = "register", "注册"
        LOGIN = "login", "登录"
        STAFF_LOGIN = "staff_login", "工作人员二次验证"
        RESET = "reset", "重置密码"

    phone = models.CharField("手机号码", max_length=11, db_index=True)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("发送时间", db_index=True)
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ApiClient(models.Model):
    """A department's system that calls the staff API as one staff account (OAuth 2.0 client
    credentials, RFC 6749 §4.4): it obtains tokens with `client_id` and its secret, and may do
    exactly what that account's roles, department and region allow. Only the secret's digest
    is stored; the secret is shown once, when the client is created."""

    name = models.CharField("系统名称", max_length=100)
    client_id = models.CharField("客户端标识", max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    staff = models.ForeignKey(
        Staff, verbose_name="代表的工作人员", on_delete=models.PROTECT, related_name="api_clients"
    )
    created_by = models.ForeignKey(
        Staff, verbose_name="创建人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近取令牌时间", null=True, blank=True)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"

    def __str__(self) -> str:
        return f"{self.name}（{self.client_id}）"


class ApiToken(models.Model):
    """A bearer token pair for app / WeChat / Alipay clients, or an access token alone for a
    department system (`api_client`, no refresh token); only hashes are stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    client = models.CharField("客户端", max_length=40)
    api_client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, null=True, blank=True, related_name="tokens"
    )
    access_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    access_expires_at = models.DateTimeField("访问令牌过期时间")
    refresh_expires_at = models.DateTimeField("刷新令牌过期时间")
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.client} #{self.pk}"
