"""The national code lists of matters (GB/T 39046-2020 and the data in circulation), as data.

Keep every list here, in one place; code elsewhere refers to these enums only.
"""

from __future__ import annotations

from django.db import models


class MatterType(models.TextChoices):
    """事项类型代码 (2 digits); 00 is the 行政权力 parent, 11+ and 21+ are reserved."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    ENFORCEMENT = "03", "行政强制"
    LEVY = "04", "行政征收"
    BENEFIT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "1", "国家级"
    PROVINCIAL = "2", "省级"
    CITY = "3", "市级"
    COUNTY = "4", "县级"
    TOWNSHIP = "5", "乡镇（街道）级"
    VILLAGE = "6", "村（社区）级"
    GRADED = "7", "分级管理"


class BodyNature(models.TextChoices):
    """实施主体性质."""

    STATUTORY = "1", "法定机关"
    AUTHORIZED = "2", "授权组织"
    ENTRUSTED = "3", "受委托组织"
    OTHER = "9", "其他"


class ServiceObject(models.TextChoices):
    """服务对象."""

    PERSON = "1", "自然人"
    ENTERPRISE = "2", "企业法人"
    INSTITUTION = "3", "事业法人"
    SOCIAL_ORGANISATION = "4", "社会组织法人"
    ADMINISTRATION = "5", "行政机关"
    OTHER = "6", "其他组织"


class HandlingForm(models.TextChoices):
    """办理形式."""

    WINDOW = "1", "窗口办理"
    ONLINE_PC = "2", "网上办理"
    MOBILE = "3", "移动端办理"
    POST = "4", "快递申请"
    OTHER = "9", "其他"


class CaseKind(models.TextChoices):
    """办件类型."""

    INSTANT = "1", "即办件"
    PROMISED = "2", "承诺件"
    OTHER = "9", "其他"


class OnlineDepth(models.TextChoices):
    """网上办理深度 (the four-level scheme)."""

    PUBLIC = "1", "Ⅰ级 事项公开"
    PRE_REVIEW = "2", "Ⅱ级 在线预审"
    ONLINE_APPLY = "3", "Ⅲ级 在线申办"
    FULLY_ONLINE = "4", "Ⅳ级 全程网办"


class TimeUnit(models.TextChoices):
    WORKING_DAY = "workday", "工作日"
    CALENDAR_DAY = "day", "自然日"


class Reach(models.TextChoices):
    """通办范围."""

    NONE = "", "无"
    NATIONWIDE = "national", "全国通办"
    CROSS_PROVINCE = "province", "跨省通办"
    CROSS_CITY = "city", "跨市通办"
    CROSS_COUNTY = "county", "跨县通办"


class ItemSource(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCIAL = "provincial", "省级"
    LOCAL = "local", "本地"


# Life-event themes (主题) for the guide: persons and enterprises.
PERSON_THEMES: tuple[str, ...] = (
    "生育收养", "户籍办理", "民族宗教", "教育科研", "入伍服役", "就业创业", "设立变更", "准营准办",
    "抵押质押", "职业资格", "行政缴费", "婚姻登记", "优待抚恤", "规划建设", "住房保障", "社会保障",
    "证件办理", "交通出行", "旅游观光", "出境入境", "消费维权", "公共安全", "司法公证", "知识产权",
    "环保绿化", "文化体育", "公用事业", "医疗卫生", "离职退休", "死亡殡葬", "其他",
)  # fmt: skip
ENTERPRISE_THEMES: tuple[str, ...] = (
    "设立变更", "准营准办", "资质认证", "年检年审", "税收财务", "人力资源", "社会保障",
    "投资审批", "融资信贷", "抵押质押", "商务贸易", "招标拍卖", "海关口岸", "涉外服务",
    "农林牧渔", "国土和规划建设", "交通运输", "环保绿化", "应对气候变化", "水务气象",
    "医疗卫生", "科技创新", "文体教育", "知识产权", "市场监管", "安全生产", "公安消防",
    "司法公证", "检验检疫", "破产注销", "其他",
)  # fmt: skip
