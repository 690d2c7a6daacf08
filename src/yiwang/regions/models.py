"""Administrative divisions, service departments, halls and their windows.

Everything is scoped by the region code prefix: a region's `prefix` is the significant part of its
12-digit code for its level (province 2 digits, city 4, county 6, township 9, village 12), so that
"everything under 庆阳市" is every code starting with "6210". Zeros are never stripped: "621"
would also match 定西市 (6211…). Writes go through `services.py`, reads through `selectors.py`.
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """An administrative division (行政区划) with its 12-digit statistical code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县/区"
        TOWNSHIP = "township", "乡镇/街道"
        VILLAGE = "village", "村/社区"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    prefix = models.CharField("区划前缀", max_length=12, db_index=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A service department (部门): a bureau, its branch, a service centre or station."""

    class Kind(models.TextChoices):
        PUBLIC_SECURITY = "public_security", "公安"
        MARKET_REGULATION = "market_regulation", "市场监管"
        HUMAN_RESOURCES = "human_resources", "人社"
        HOUSING_CONSTRUCTION = "housing_construction", "住建"
        NATURAL_RESOURCES = "natural_resources", "自然资源"
        HOUSING_FUND = "housing_fund", "住房公积金"
        TAXATION = "taxation", "税务"
        CIVIL_AFFAIRS = "civil_affairs", "民政"
        HEALTH = "health", "卫健"
        EDUCATION = "education", "教育"
        TRANSPORT = "transport", "交通运输"
        AGRICULTURE = "agriculture", "农业农村"
        ECOLOGY_ENVIRONMENT = "ecology_environment", "生态环境"
        CULTURE_TOURISM = "culture_tourism", "文旅"
        SPORTS = "sports", "体育"
        EMERGENCY = "emergency", "应急管理"
        FIRE_RESCUE = "fire_rescue", "消防救援"
        JUSTICE = "justice", "司法"
        FINANCE = "finance", "财政"
        DEVELOPMENT_REFORM = "development_reform", "发改"
        INDUSTRY_IT = "industry_it", "工信"
        SCIENCE_TECHNOLOGY = "science_technology", "科技"
        COMMERCE = "commerce", "商务"
        WATER = "water", "水务"
        FORESTRY_GRASSLAND = "forestry_grassland", "林草"
        MEDICAL_SECURITY = "medical_security", "医保"
        VETERANS = "veterans", "退役军人"
        ETHNIC_RELIGIOUS = "ethnic_religious", "民族宗教"
        AUDIT = "audit", "审计"
        STATISTICS = "statistics", "统计"
        METEOROLOGY = "meteorology", "气象"
        URBAN_MANAGEMENT = "urban_management", "城市管理"
        PETITIONS = "petitions", "信访"
        DISABLED_PERSONS = "disabled_persons", "残联"
        GOVERNMENT_SERVICES = "government_services", "政务服务"
        TOWNSHIP_SERVICE_CENTER = "township_service_center", "乡镇便民服务中心"
        VILLAGE_SERVICE_STATION = "village_service_station", "村便民服务站"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("部门类别", max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # A copy of region.prefix, kept by the services, so scoping needs no join.
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="regions_department_region_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Hall(models.Model):
    """A service hall: 政务服务中心 (city, county) or 便民服务中心 (township)."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="halls"
    )
    level = models.CharField("层级", max_length=16, choices=Region.Level.choices)
    region_prefix = models.CharField("区划前缀", max_length=12, db_index=True, editable=False)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    opening_hours = models.TextField("办公时间", blank=True)

    class Meta:
        verbose_name = "政务服务大厅"
        verbose_name_plural = "政务服务大厅"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="regions_hall_region_name")
        ]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A service window (窗口) in a hall."""

    class Kind(models.TextChoices):
        GENERAL = "general", "综合受理"
        SPECIALIST = "specialist", "专业"
        DELIVERY = "delivery", "出件"
        CONSULTATION = "consultation", "咨询"

    hall = models.ForeignKey(
        Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("窗口类型", max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="进驻部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="regions_window_hall_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
