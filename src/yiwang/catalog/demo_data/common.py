# ruff: noqa: E501 -- data tables of Chinese names and legal bases, one matter a line
"""The vocabulary the demo matters are written in: matters, sub-items, materials, fees, scopes,
e-license types, and the shared materials and step sets most matters reuse.

Everything here is plain data (frozen dataclasses and tuples); `yiwang.catalog.demo` turns it into
rows. Values are the national code lists' (`yiwang.catalog.codes`) and the role values of
`yiwang.accounts.models.Role`, spelled as strings so this module needs no database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yiwang.regions.rules import demo_organization_body, demo_uscc

# --- Where a matter is carried out ------------------------------------------------------------

CITY, COUNTY, TOWNSHIP = "city", "county", "township"  # Region.Level values
C: tuple[str, ...] = (CITY,)  # the city's department only
B: tuple[str, ...] = (CITY, COUNTY)  # the city's and each county's department
K: tuple[str, ...] = (COUNTY,)  # each county's department only
KT: tuple[str, ...] = (COUNTY, TOWNSHIP)  # each county's department and each township's
T: tuple[str, ...] = (TOWNSHIP,)  # each township's department only
PROVINCIAL: tuple[str, ...] = ()  # exercised by the province: in the catalog, not carried here

# 服务对象 (codes.ServiceObject)
PERSON: tuple[str, ...] = ("1",)
ENTERPRISE: tuple[str, ...] = ("2",)
PERSON_ENTERPRISE: tuple[str, ...] = ("1", "2")
ORGANISATIONS: tuple[str, ...] = ("2", "3", "4", "6")
ALL_OBJECTS: tuple[str, ...] = ("1", "2", "3", "4", "6")

# 办理角色 (accounts.Role values)
WINDOW, REVIEWER, APPROVER = "window_officer", "reviewer", "approver"

# 办件类型 (codes.CaseKind)
INSTANT, PROMISED = "1", "2"

# 网上办理深度 (codes.OnlineDepth)
DEPTH_PUBLIC, DEPTH_PRE_REVIEW, DEPTH_APPLY, DEPTH_FULL = "1", "2", "3", "4"

# 事项类型 (codes.MatterType)
LICENSING, BENEFIT, CONFIRMATION, REWARD, ADJUDICATION, LEVY = "01", "05", "07", "08", "09", "04"
OTHER_POWER, PUBLIC_SERVICE = "10", "20"

# --- E-license types ---------------------------------------------------------------------------
# A type code is the defining authority's USCC + 3 digits (REFERENCE §5). 居民身份证 carries the
# code in circulation; every other code is a DEMO code of the same shape: its definer's USCC is
# generated (`demo_uscc`), not the real code of that ministry.

_DEFINERS = (
    "国家市场监督管理总局", "民政部", "自然资源部", "人力资源和社会保障部", "住房和城乡建设部",
    "交通运输部", "教育部", "国家卫生健康委员会", "农业农村部", "文化和旅游部", "水利部",
    "生态环境部", "国家林业和草原局", "应急管理部", "中国残疾人联合会", "退役军人事务部",
    "国家药品监督管理局", "国家医疗保障局", "公安部（演示）", "国家税务总局",
)  # fmt: skip


def _definer_uscc(name: str) -> str:
    return demo_uscc(
        kind_code="11", region6="100000", organization_body=demo_organization_body(name)
    )


_DEFINER_USCC = {name: _definer_uscc(name) for name in _DEFINERS}

# (license name, definer, sequence)
_LICENSE_ROWS = (
    ("居民户口簿", "公安部（演示）", 2), ("机动车驾驶证", "公安部（演示）", 3),
    ("机动车行驶证", "公安部（演示）", 4), ("普通护照", "公安部（演示）", 5),
    ("往来港澳通行证", "公安部（演示）", 6), ("往来台湾通行证", "公安部（演示）", 7),
    ("居住证", "公安部（演示）", 8), ("无犯罪记录证明", "公安部（演示）", 9),
    ("营业执照", "国家市场监督管理总局", 1), ("食品经营许可证", "国家市场监督管理总局", 2),
    ("食品生产许可证", "国家市场监督管理总局", 3), ("特种设备使用登记证", "国家市场监督管理总局", 4),
    ("药品经营许可证", "国家药品监督管理局", 1), ("医疗器械经营许可证", "国家药品监督管理局", 2),
    ("结婚证", "民政部", 1), ("离婚证", "民政部", 2), ("社会团体法人登记证书", "民政部", 3),
    ("民办非企业单位登记证书", "民政部", 4), ("收养登记证", "民政部", 5),
    ("不动产权证书", "自然资源部", 1), ("不动产登记证明", "自然资源部", 2),
    ("建设用地规划许可证", "自然资源部", 3), ("建设工程规划许可证", "自然资源部", 4),
    ("乡村建设规划许可证", "自然资源部", 5),
    ("社会保障卡", "人力资源和社会保障部", 1), ("就业创业证", "人力资源和社会保障部", 2),
    ("人力资源服务许可证", "人力资源和社会保障部", 3),
    ("劳务派遣经营许可证", "人力资源和社会保障部", 4),
    ("建筑工程施工许可证", "住房和城乡建设部", 1), ("商品房预售许可证", "住房和城乡建设部", 2),
    ("建筑业企业资质证书", "住房和城乡建设部", 3),
    ("道路运输经营许可证", "交通运输部", 1), ("道路运输证", "交通运输部", 2),
    ("道路运输从业人员从业资格证", "交通运输部", 3),
    ("教师资格证书", "教育部", 1), ("民办学校办学许可证", "教育部", 2),
    ("医师执业证书", "国家卫生健康委员会", 1), ("护士执业证书", "国家卫生健康委员会", 2),
    ("医疗机构执业许可证", "国家卫生健康委员会", 3), ("出生医学证明", "国家卫生健康委员会", 4),
    ("卫生许可证", "国家卫生健康委员会", 5),
    ("农药经营许可证", "农业农村部", 1), ("兽药经营许可证", "农业农村部", 2),
    ("动物防疫条件合格证", "农业农村部", 3), ("动物诊疗许可证", "农业农村部", 4),
    ("娱乐经营许可证", "文化和旅游部", 1), ("网络文化经营许可证", "文化和旅游部", 2),
    ("旅行社业务经营许可证", "文化和旅游部", 3),
    ("取水许可证", "水利部", 1), ("排污许可证", "生态环境部", 1),
    ("林木采伐许可证", "国家林业和草原局", 1), ("危险化学品经营许可证", "应急管理部", 1),
    ("烟花爆竹经营（零售）许可证", "应急管理部", 2),
    ("中华人民共和国残疾人证", "中国残疾人联合会", 1),
    ("退役军人优待证", "退役军人事务部", 1), ("医疗保障电子凭证", "国家医疗保障局", 1),
    ("完税证明", "国家税务总局", 1),
)  # fmt: skip

LICENSE_TYPES: Mapping[str, str] = {
    "居民身份证": "11100000000013338W001",
    **{name: f"{_DEFINER_USCC[definer]}{seq:03d}" for name, definer, seq in _LICENSE_ROWS},
}

# --- Materials, fees, steps ------------------------------------------------------------------


@dataclass(frozen=True)
class Mat:
    """A material (申请材料); `license` names an e-license type that can stand in for it."""

    name: str
    issuer: str = ""
    originals: int = 1
    copies: int = 0
    required: bool = True
    license: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.license and self.license not in LICENSE_TYPES:
            raise ValueError(f"unknown e-license type {self.license!r}")


@dataclass(frozen=True)
class Fee:
    name: str
    amount: str
    basis: str


def form(title: str) -> Mat:
    """The application form itself (申请表), filled in online or at the window."""
    return Mat(f"《{title}》", "申请人", note="可在线填写，或在窗口领取、现场填写")


ID_CARD = Mat("居民身份证", "公安机关", license="居民身份证", note="核验原件，可用电子证照代替")
HOUSEHOLD_REGISTER = Mat("居民户口簿", "公安机关", license="居民户口簿")
PHOTO = Mat("近期免冠彩色证件照片", originals=2, note="白色背景，也可现场采集")
BUSINESS_LICENCE = Mat("营业执照", "市场监督管理部门", copies=1, license="营业执照")
ORGANISATION_CERTIFICATE = Mat(
    "营业执照或事业单位、社会组织法人登记证书", "登记管理机关", copies=1, license="营业执照"
)
LEGAL_REPRESENTATIVE_ID = Mat("法定代表人（负责人）居民身份证", "公安机关", license="居民身份证")
PROXY = Mat("授权委托书及受托人居民身份证", "申请人", required=False, note="委托他人代办时提供")
PREMISES = Mat("经营场所使用证明（不动产权证书或租赁合同）", "申请人", originals=0, copies=1)
SITE_PLAN = Mat("经营场所平面布局图及周边环境示意图", "申请人")
STAFF_LIST = Mat("主要负责人、专业技术人员名单及资格证明", "申请人", originals=0, copies=1)
RULES = Mat("质量（安全）管理制度文件", "申请人")
PROPERTY_CERTIFICATE = Mat("不动产权证书", "不动产登记机构", license="不动产权证书")
MARITAL_STATUS = Mat("婚姻状况证明或声明", "申请人", note="已婚的提供结婚证")
BANK_CARD = Mat("本人银行卡或社会保障卡（金融账户）", "开户银行", originals=1, required=False)
SOCIAL_SECURITY_CARD = Mat("社会保障卡", "人力资源社会保障部门", license="社会保障卡")
DISABILITY_CARD = Mat("中华人民共和国残疾人证", "残疾人联合会", license="中华人民共和国残疾人证")
LICENCE_ORIGINAL = Mat("原许可证正、副本", "原发证机关", note="已领取电子证照的可不提交")
CHANGE_PROOF = Mat("变更事项的证明材料", "申请人", copies=1)
CANCEL_REASON = Mat("注销申请（写明注销原因）", "申请人")
INCOME_PROOF = Mat(
    "家庭成员收入、财产状况说明及核对授权书", "申请人", note="由民政部门通过信息核对平台核对"
)

# Step sets: (name, role); the limits are spread over the promised limit (`demo.step_limits`).
Steps = tuple[tuple[str, str], ...]
STEPS_INSTANT: Steps = (("受理并办结", WINDOW),)
STEPS_STANDARD: Steps = (("受理", WINDOW), ("审核", REVIEWER), ("决定", APPROVER))
STEPS_INSPECTION: Steps = (
    ("受理", WINDOW), ("材料审查", REVIEWER), ("现场核查", REVIEWER), ("决定", APPROVER),
    ("制证送达", WINDOW),
)  # fmt: skip
STEPS_BENEFIT: Steps = (("受理", WINDOW), ("审核", REVIEWER), ("审批", APPROVER), ("发放", WINDOW))
STEPS_REGISTRATION: Steps = (("受理", WINDOW), ("审核", REVIEWER), ("登簿", APPROVER), ("缮证发证", WINDOW))  # fmt: skip
STEPS_CERTIFICATE: Steps = (("受理", WINDOW), ("审核", REVIEWER), ("签批制证", APPROVER))
STEPS_FILING: Steps = (("受理", WINDOW), ("备案", REVIEWER))


# --- Matters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A sub-item (子项) of a matter: its name (or the label added to the main item's name), and
    what differs from the main item."""

    label: str
    name: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)
    more_materials: tuple[Mat, ...] = ()


def sub(label: str, *, name: str = "", more: tuple[Mat, ...] = (), **changes: Any) -> Variant:
    return Variant(label=label, name=name, changes=changes, more_materials=more)


@dataclass(frozen=True)
class Matter:
    """A matter as the demo carries it out: enough to write its basic item and, for every
    department that carries it, an implementation item with a published first version.

    `kind` is the `Department.Kind` of the carrying department; `hint` a part of its name that
    picks one department among several of that kind in a region (出入境, 不动产, 社会保险 …).
    `scope` is where it is carried out (`C`, `B`, `K`, `KT`, `T`; `PROVINCIAL` = nowhere here).
    """

    name: str
    matter_type: str
    legal_basis: str
    kind: str
    scope: tuple[str, ...]
    hint: str = ""
    national: bool = False
    case_kind: str = PROMISED
    legal_limit: int = 20
    promised_limit: int = 10
    limit_unit: str = "workday"
    legal_note: str = ""
    conditions: str = ""
    result_name: str = ""
    result_type: str = "证照"
    result_license: str = ""
    fees: tuple[Fee, ...] = ()
    fee_basis: str = ""
    objects: tuple[str, ...] = PERSON
    person_themes: tuple[str, ...] = ()
    enterprise_themes: tuple[str, ...] = ()
    depth: str = DEPTH_APPLY
    visits: int | None = None
    visits_reason: str = ""
    reach: str = ""
    joint_bodies: str = ""
    intermediary: str = ""
    special_procedures: str = ""
    quantity_limit: str = ""
    bookable: bool = True
    payable_online: bool = False
    deliverable: bool = False
    kiosk: bool = False
    materials: tuple[Mat, ...] = ()
    steps: Steps = ()
    faq: tuple[tuple[str, str], ...] = ()
    place: str = ""  # "{department}" is filled in; used where the department has no hall window
    level: str = ""  # 行使层级, when not implied by `scope` (powers exercised ex officio)
    variants: tuple[Variant, ...] = ()

    def __post_init__(self) -> None:
        if self.result_license and self.result_license not in LICENSE_TYPES:
            raise ValueError(f"{self.name}: unknown e-license type {self.result_license!r}")
        if self.case_kind == INSTANT and self.promised_limit != 0:
            raise ValueError(f"{self.name}: an instant matter has promised limit 0")
        if self.promised_limit > self.legal_limit and self.legal_limit:
            raise ValueError(f"{self.name}: promised limit above the legal one")

    def child(self, variant: Variant) -> Matter:
        """The sub-item as a matter of its own (it carries no sub-items)."""
        values = {**variant.changes, "variants": ()}
        values["name"] = variant.name or f"{self.name}（{variant.label}）"
        materials = tuple(values.get("materials", self.materials))
        values["materials"] = materials + variant.more_materials
        return dataclasses.replace(self, **values)

    def leaves(self) -> tuple[Matter, ...]:
        return tuple(self.child(v) for v in self.variants) if self.variants else (self,)


def licence_variants(*, renewal: bool = True) -> tuple[Variant, ...]:
    """The 新办 / 变更 / 延续 / 注销 sub-items of an operating licence."""
    variants = [
        sub("新办"),
        sub("变更", promised_limit=3, steps=STEPS_STANDARD, more=(CHANGE_PROOF, LICENCE_ORIGINAL)),
    ]
    if renewal:
        variants.append(sub("延续", more=(LICENCE_ORIGINAL,)))
    variants.append(
        sub("注销", case_kind=INSTANT, promised_limit=0, steps=STEPS_INSTANT,
            materials=(BUSINESS_LICENCE, CANCEL_REASON, LICENCE_ORIGINAL))
    )  # fmt: skip
    return tuple(variants)
