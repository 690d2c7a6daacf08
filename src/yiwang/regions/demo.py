"""Demonstration departments, halls and windows for a city, its counties and townships.

DEMO DATA: the department names follow the usual structure of Chinese local government
(vertically managed 税务, 住房公积金, 消防救援 and 气象 branches; a 派出所 and a 司法所 in every
township), but the unified social credit codes are GENERATED -- structurally valid and
the same on every run, yet not the real codes of these bodies. Hall addresses and window layouts
are illustrative. Everything here is pure data; `services.py` writes it to the database.

Counts for Qingyang (1 city, 8 counties, 119 townships):
48 city departments + 8 × 37 county departments + 119 × 3 township stations = 701.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from yiwang.regions.models import Department, Region, Window
from yiwang.regions.rules import (
    county_short_name,
    demo_organization_body,
    demo_uscc,
    township_display_name,
    township_short_name,
)

K = Department.Kind

# Positions 1-2 of a USCC: registration authority 1 (机构编制) and the type of body.
AGENCY = "11"  # 机关
INSTITUTION = "12"  # 事业单位
MASS_ORGANIZATION = "13"  # 群众团体 (e.g. 残疾人联合会)


@dataclass(frozen=True)
class Place:
    """The few facts about a region the demo needs."""

    code: str
    name: str
    parent_code: str = ""


@dataclass(frozen=True)
class DepartmentSpec:
    region_code: str
    name: str
    kind: str
    kind_code: str
    short_name: str = ""
    # (region code, name) of the parent department, if any.
    parent: tuple[str, str] | None = None
    # A stable handle that windows use to find "the 税务 department of this county".
    role: str = ""
    uscc: str = ""


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    kind: str
    role: str = ""


# (name after the city's name, kind, kind code, name of the parent after the city's name, role)
_CITY_DEPARTMENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("人民政府办公室", K.OTHER, AGENCY, "", ""),
    ("发展和改革委员会", K.DEVELOPMENT_REFORM, AGENCY, "", ""),
    ("教育局", K.EDUCATION, AGENCY, "", ""),
    ("科学技术局", K.SCIENCE_TECHNOLOGY, AGENCY, "", ""),
    ("工业和信息化局", K.INDUSTRY_IT, AGENCY, "", ""),
    ("民族宗教事务委员会", K.ETHNIC_RELIGIOUS, AGENCY, "", ""),
    ("公安局", K.PUBLIC_SECURITY, AGENCY, "", "police"),
    ("公安局交通警察支队", K.PUBLIC_SECURITY, AGENCY, "公安局", ""),
    ("公安局出入境管理支队", K.PUBLIC_SECURITY, AGENCY, "公安局", ""),
    ("民政局", K.CIVIL_AFFAIRS, AGENCY, "", ""),
    ("司法局", K.JUSTICE, AGENCY, "", "justice"),
    ("财政局", K.FINANCE, AGENCY, "", ""),
    ("人力资源和社会保障局", K.HUMAN_RESOURCES, AGENCY, "", ""),
    (
        "社会保险服务中心",
        K.HUMAN_RESOURCES,
        INSTITUTION,
        "人力资源和社会保障局",
        "social_insurance",
    ),
    ("就业服务中心", K.HUMAN_RESOURCES, INSTITUTION, "人力资源和社会保障局", ""),
    ("自然资源局", K.NATURAL_RESOURCES, AGENCY, "", ""),
    ("不动产登记服务中心", K.NATURAL_RESOURCES, INSTITUTION, "自然资源局", "real_estate"),
    ("生态环境局", K.ECOLOGY_ENVIRONMENT, AGENCY, "", "ecology"),
    ("住房和城乡建设局", K.HOUSING_CONSTRUCTION, AGENCY, "", "housing"),
    ("住房公积金管理中心", K.HOUSING_FUND, INSTITUTION, "", "housing_fund"),
    ("交通运输局", K.TRANSPORT, AGENCY, "", ""),
    ("水务局", K.WATER, AGENCY, "", ""),
    ("农业农村局", K.AGRICULTURE, AGENCY, "", ""),
    ("商务局", K.COMMERCE, AGENCY, "", ""),
    ("文化广播电视和旅游局", K.CULTURE_TOURISM, AGENCY, "", ""),
    ("体育局", K.SPORTS, AGENCY, "", ""),
    ("卫生健康委员会", K.HEALTH, AGENCY, "", ""),
    ("疾病预防控制中心", K.HEALTH, INSTITUTION, "卫生健康委员会", ""),
    ("退役军人事务局", K.VETERANS, AGENCY, "", ""),
    ("应急管理局", K.EMERGENCY, AGENCY, "", ""),
    ("消防救援支队", K.FIRE_RESCUE, AGENCY, "", "fire_rescue"),
    ("审计局", K.AUDIT, AGENCY, "", ""),
    ("人民政府国有资产监督管理委员会", K.OTHER, AGENCY, "", ""),
    ("市场监督管理局", K.MARKET_REGULATION, AGENCY, "", "market"),
    ("统计局", K.STATISTICS, AGENCY, "", ""),
    ("林业和草原局", K.FORESTRY_GRASSLAND, AGENCY, "", ""),
    ("医疗保障局", K.MEDICAL_SECURITY, AGENCY, "", ""),
    ("医疗保障服务中心", K.MEDICAL_SECURITY, INSTITUTION, "医疗保障局", "medical_insurance"),
    ("城市管理综合执法局", K.URBAN_MANAGEMENT, AGENCY, "", ""),
    ("信访局", K.PETITIONS, AGENCY, "", ""),
    ("人民防空办公室", K.OTHER, AGENCY, "", ""),
    ("机关事务管理局", K.OTHER, AGENCY, "", ""),
    ("政务服务中心", K.GOVERNMENT_SERVICES, INSTITUTION, "", "government_services"),
    ("公共资源交易中心", K.GOVERNMENT_SERVICES, INSTITUTION, "", ""),
    ("档案馆", K.OTHER, INSTITUTION, "", ""),
    ("气象局", K.METEOROLOGY, INSTITUTION, "", "meteorology"),
    ("残疾人联合会", K.DISABLED_PERSONS, MASS_ORGANIZATION, "", ""),
)

# (name after the county's name, kind, kind code, name of the parent after the county's, role)
_COUNTY_DEPARTMENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("人民政府办公室", K.OTHER, AGENCY, "", ""),
    ("发展和改革局", K.DEVELOPMENT_REFORM, AGENCY, "", ""),
    ("教育局", K.EDUCATION, AGENCY, "", ""),
    ("工业和信息化局", K.INDUSTRY_IT, AGENCY, "", ""),
    ("民政局", K.CIVIL_AFFAIRS, AGENCY, "", ""),
    ("司法局", K.JUSTICE, AGENCY, "", "justice"),
    ("财政局", K.FINANCE, AGENCY, "", ""),
    ("人力资源和社会保障局", K.HUMAN_RESOURCES, AGENCY, "", ""),
    (
        "社会保险服务中心",
        K.HUMAN_RESOURCES,
        INSTITUTION,
        "人力资源和社会保障局",
        "social_insurance",
    ),
    ("自然资源局", K.NATURAL_RESOURCES, AGENCY, "", ""),
    ("不动产登记服务中心", K.NATURAL_RESOURCES, INSTITUTION, "自然资源局", "real_estate"),
    ("住房和城乡建设局", K.HOUSING_CONSTRUCTION, AGENCY, "", "housing"),
    ("交通运输局", K.TRANSPORT, AGENCY, "", ""),
    ("水务局", K.WATER, AGENCY, "", ""),
    ("农业农村局", K.AGRICULTURE, AGENCY, "", ""),
    ("商务局", K.COMMERCE, AGENCY, "", ""),
    ("文化和旅游局", K.CULTURE_TOURISM, AGENCY, "", ""),
    ("卫生健康局", K.HEALTH, AGENCY, "", ""),
    ("疾病预防控制中心", K.HEALTH, INSTITUTION, "卫生健康局", ""),
    ("退役军人事务局", K.VETERANS, AGENCY, "", ""),
    ("应急管理局", K.EMERGENCY, AGENCY, "", ""),
    ("审计局", K.AUDIT, AGENCY, "", ""),
    ("市场监督管理局", K.MARKET_REGULATION, AGENCY, "", "market"),
    ("统计局", K.STATISTICS, AGENCY, "", ""),
    ("林业和草原局", K.FORESTRY_GRASSLAND, AGENCY, "", ""),
    ("医疗保障局", K.MEDICAL_SECURITY, AGENCY, "", ""),
    ("医疗保障服务中心", K.MEDICAL_SECURITY, INSTITUTION, "医疗保障局", "medical_insurance"),
    ("信访局", K.PETITIONS, AGENCY, "", ""),
    ("政务服务中心", K.GOVERNMENT_SERVICES, INSTITUTION, "", "government_services"),
    ("残疾人联合会", K.DISABLED_PERSONS, MASS_ORGANIZATION, "", ""),
)

_CITY_HALL_WINDOWS: tuple[WindowSpec, ...] = (
    *(WindowSpec(f"A{n:02d}", "综合受理窗口", Window.Kind.GENERAL) for n in range(1, 7)),
    WindowSpec("B01", "公安服务窗口", Window.Kind.SPECIALIST, "police"),
    WindowSpec("B02", "企业开办窗口", Window.Kind.SPECIALIST, "market"),
    WindowSpec("B03", "不动产登记窗口", Window.Kind.SPECIALIST, "real_estate"),
    WindowSpec("B04", "住房公积金窗口", Window.Kind.SPECIALIST, "housing_fund"),
    WindowSpec("B05", "税务窗口", Window.Kind.SPECIALIST, "tax"),
    WindowSpec("B06", "社会保险窗口", Window.Kind.SPECIALIST, "social_insurance"),
    WindowSpec("B07", "医疗保障窗口", Window.Kind.SPECIALIST, "medical_insurance"),
    WindowSpec("B08", "工程建设项目审批窗口", Window.Kind.SPECIALIST, "housing"),
    WindowSpec("C01", "出件窗口", Window.Kind.DELIVERY),
    WindowSpec("C02", "出件窗口", Window.Kind.DELIVERY),
    WindowSpec("D01", "咨询窗口", Window.Kind.CONSULTATION),
    WindowSpec("D02", "帮办代办窗口", Window.Kind.CONSULTATION),
)

_COUNTY_HALL_WINDOWS: tuple[WindowSpec, ...] = (
    *(WindowSpec(f"A{n:02d}", "综合受理窗口", Window.Kind.GENERAL) for n in range(1, 5)),
    *(spec for spec in _CITY_HALL_WINDOWS if spec.kind == Window.Kind.SPECIALIST),
    WindowSpec("C01", "出件窗口", Window.Kind.DELIVERY),
    WindowSpec("D01", "咨询窗口", Window.Kind.CONSULTATION),
)

_TOWNSHIP_HALL_WINDOWS: tuple[WindowSpec, ...] = (
    WindowSpec("A01", "综合受理窗口", Window.Kind.GENERAL),
    WindowSpec("B01", "社保民政窗口", Window.Kind.SPECIALIST, "service_center"),
    WindowSpec("D01", "咨询窗口", Window.Kind.CONSULTATION),
)

HALL_OPENING_HOURS = "周一至周五 上午8:30—12:00，下午14:30—18:00（法定节假日除外）"
HALL_PHONE = "12345"


def department_specs(
    *, city: Place, counties: Sequence[Place], townships: Sequence[Place]
) -> list[DepartmentSpec]:
    """Every demo department, parents before children, each with its generated USCC.

    `townships` carry their county's code as `parent_code`.
    """
    specs = _city_specs(city)
    city_by_role = {spec.role: spec for spec in specs if spec.role}
    county_roles: dict[str, dict[str, DepartmentSpec]] = {}
    for county in counties:
        county_specs = _county_specs(county, city=city, city_by_role=city_by_role)
        county_roles[county.code] = {spec.role: spec for spec in county_specs if spec.role}
        specs.extend(county_specs)
    for township in townships:
        specs.extend(_township_specs(township, county_by_role=county_roles[township.parent_code]))
    return _with_uscc(specs)


def window_specs(level: str, *, township_name: str = "") -> tuple[WindowSpec, ...]:
    """The windows of a demo hall: 18 in the city's, 14 in a county's, 2-3 in a township's."""
    if level == Region.Level.CITY:
        return _CITY_HALL_WINDOWS
    if level == Region.Level.COUNTY:
        return _COUNTY_HALL_WINDOWS
    if township_name.endswith("乡"):
        # A smaller 乡 centre has no separate consultation window.
        return _TOWNSHIP_HALL_WINDOWS[:2]
    return _TOWNSHIP_HALL_WINDOWS


def hall_name(region: Place, *, level: str) -> str:
    """市/县 政务服务中心, or the township's 便民服务中心."""
    if level == Region.Level.TOWNSHIP:
        return township_service_center_name(region.name)
    return f"{region.name}政务服务中心"


def township_service_center_name(township_name: str) -> str:
    return f"{township_display_name(township_name)}便民服务中心"


def _city_specs(city: Place) -> list[DepartmentSpec]:
    specs = [
        DepartmentSpec(
            region_code=city.code,
            name=city.name + suffix,
            short_name="市" + suffix,
            kind=kind,
            kind_code=kind_code,
            parent=(city.code, city.name + parent) if parent else None,
            role=role,
        )
        for suffix, kind, kind_code, parent, role in _CITY_DEPARTMENTS
    ]
    specs.append(
        DepartmentSpec(
            region_code=city.code,
            name=f"国家税务总局{city.name}税务局",
            short_name="市税务局",
            kind=K.TAXATION,
            kind_code=AGENCY,
            role="tax",
        )
    )
    return specs


def _county_specs(
    county: Place, *, city: Place, city_by_role: dict[str, DepartmentSpec]
) -> list[DepartmentSpec]:
    """37 departments: 30 of the county government, 7 branches or vertically managed bodies."""
    short = county_short_name(county.name)
    level_word = county.name[-1]  # 区 or 县

    def local(
        suffix: str, kind: str, kind_code: str, parent: str = "", role: str = ""
    ) -> DepartmentSpec:
        return DepartmentSpec(
            region_code=county.code,
            name=county.name + suffix,
            short_name=level_word + suffix,
            kind=kind,
            kind_code=kind_code,
            parent=(county.code, county.name + parent) if parent else None,
            role=role,
        )

    def branch(name: str, kind: str, kind_code: str, parent_role: str, role: str) -> DepartmentSpec:
        parent = city_by_role[parent_role]
        return DepartmentSpec(
            region_code=county.code,
            name=name,
            kind=kind,
            kind_code=kind_code,
            parent=(parent.region_code, parent.name),
            role=role,
        )

    specs = [local(*row) for row in _COUNTY_DEPARTMENTS]
    if level_word == "区":
        # A district's police is a branch (分局) of the city bureau.
        police = branch(f"{county.name}公安分局", K.PUBLIC_SECURITY, AGENCY, "police", "police")
    else:
        police = local("公安局", K.PUBLIC_SECURITY, AGENCY, role="police")
    specs += [
        police,
        DepartmentSpec(
            region_code=county.code,
            name=f"{police.name}交通警察大队",
            kind=K.PUBLIC_SECURITY,
            kind_code=AGENCY,
            parent=(county.code, police.name),
        ),
        branch(f"国家税务总局{county.name}税务局", K.TAXATION, AGENCY, "tax", "tax"),
        branch(
            f"{city.name}住房公积金管理中心{county.name}管理部",
            K.HOUSING_FUND,
            INSTITUTION,
            "housing_fund",
            "housing_fund",
        ),
        branch(f"{city.name}生态环境局{short}分局", K.ECOLOGY_ENVIRONMENT, AGENCY, "ecology", ""),
        branch(f"{county.name}消防救援大队", K.FIRE_RESCUE, AGENCY, "fire_rescue", ""),
        branch(f"{county.name}气象局", K.METEOROLOGY, INSTITUTION, "meteorology", ""),
    ]
    return specs


def _township_specs(
    township: Place, *, county_by_role: dict[str, DepartmentSpec]
) -> list[DepartmentSpec]:
    """便民服务中心, 派出所 and 司法所 of one township."""
    short = township_short_name(township.name)
    police = county_by_role["police"]
    justice = county_by_role["justice"]
    return [
        DepartmentSpec(
            region_code=township.code,
            name=township_service_center_name(township.name),
            kind=K.TOWNSHIP_SERVICE_CENTER,
            kind_code=INSTITUTION,
            role="service_center",
        ),
        DepartmentSpec(
            region_code=township.code,
            name=f"{police.name}{short}派出所",
            short_name=f"{short}派出所",
            kind=K.PUBLIC_SECURITY,
            kind_code=AGENCY,
            parent=(police.region_code, police.name),
        ),
        DepartmentSpec(
            region_code=township.code,
            name=f"{justice.name}{short}司法所",
            short_name=f"{short}司法所",
            kind=K.JUSTICE,
            kind_code=AGENCY,
            parent=(justice.region_code, justice.name),
        ),
    ]


def _with_uscc(specs: list[DepartmentSpec]) -> list[DepartmentSpec]:
    """Give each spec a generated USCC, unique within the list and the same on every run.

    Positions 3-8 are the county's (or the city's) 6-digit code: a township station registers
    with its county. The 8-character organization body is a hash of the region code and name.
    """
    seen: set[str] = set()
    result = []
    for spec in specs:
        salt = 0
        while True:
            body = demo_organization_body(f"{spec.region_code}:{spec.name}", salt=salt)
            if body not in seen:
                break
            salt += 1
        seen.add(body)
        uscc = demo_uscc(
            kind_code=spec.kind_code, region6=spec.region_code[:6], organization_body=body
        )
        result.append(dataclasses.replace(spec, uscc=uscc))
    return result
