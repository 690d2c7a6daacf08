# ruff: noqa: E501 -- data tables of Chinese names and legal bases, one matter a line
"""Builders for the many smaller matters of the catalog, written one call each: a licence with
its 新办/变更/延续/注销 sub-items, an approval, a filing (备案), a registration (登记), a
recognition (认定), a certificate (证明), a subsidy (补贴申领), a public service, a reward, an
adjudication and a levy. Each fills in what such matters usually have (materials, steps, limits,
online depth, themes) from the few facts given; any `Matter` field can still be passed.
"""

from __future__ import annotations

from typing import Any

from yiwang.catalog.demo_data.common import (
    ADJUDICATION,
    APPROVER,
    BANK_CARD,
    BENEFIT,
    BUSINESS_LICENCE,
    CANCEL_REASON,
    CHANGE_PROOF,
    CONFIRMATION,
    DEPTH_APPLY,
    DEPTH_FULL,
    ENTERPRISE,
    ID_CARD,
    INSTANT,
    LEGAL_REPRESENTATIVE_ID,
    LEVY,
    LICENCE_ORIGINAL,
    LICENSE_TYPES,
    LICENSING,
    ORGANISATION_CERTIFICATE,
    OTHER_POWER,
    PERSON,
    PROMISED,
    PROXY,
    PUBLIC_SERVICE,
    REVIEWER,
    REWARD,
    STEPS_BENEFIT,
    STEPS_CERTIFICATE,
    STEPS_INSPECTION,
    STEPS_INSTANT,
    STEPS_STANDARD,
    WINDOW,
    Fee,
    Mat,
    Matter,
    Steps,
    Variant,
    form,
    sub,
)

# Person themes that follow from an enterprise theme when natural persons are served too.
_PERSON_THEME_FOR = {
    "准营准办": "准营准办", "设立变更": "设立变更", "社会保障": "社会保障", "医疗卫生": "医疗卫生",
    "交通运输": "交通出行", "环保绿化": "环保绿化", "文体教育": "文化体育", "司法公证": "司法公证",
    "知识产权": "知识产权", "公安消防": "公共安全", "国土和规划建设": "规划建设",
    "税收财务": "行政缴费", "农林牧渔": "其他", "资质认证": "职业资格",
}  # fmt: skip


def _applicant(objects: tuple[str, ...]) -> tuple[Mat, ...]:
    if objects == PERSON:
        return (ID_CARD,)
    if objects == ENTERPRISE:
        return (BUSINESS_LICENCE, LEGAL_REPRESENTATIVE_ID)
    return (ORGANISATION_CERTIFICATE, LEGAL_REPRESENTATIVE_ID)


def _matter(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    matter_type: str,
    objects: tuple[str, ...],
    themes: tuple[str, ...],
    person: tuple[str, ...],
    legal: int,
    promised: int,
    unit: str = "workday",
    instant: bool = False,
    result: str = "",
    result_type: str = "",
    steps: Steps = STEPS_STANDARD,
    materials: tuple[Mat, ...] = (),
    **more: Any,
) -> Matter:
    """A matter with its themes, limits and result filled in from the builders' facts."""
    if objects != PERSON:
        more.setdefault("enterprise_themes", themes)
    if "1" in objects:
        mapped = tuple(
            dict.fromkeys(_PERSON_THEME_FOR[t] for t in themes if t in _PERSON_THEME_FOR)
        )
        more.setdefault("person_themes", person or mapped or ("其他",))
    if instant:
        more.update(case_kind=INSTANT, promised_limit=0, steps=STEPS_INSTANT)
    else:
        more.update(case_kind=PROMISED, promised_limit=promised, steps=steps)
    licensed = result in LICENSE_TYPES
    return Matter(
        name=name,
        matter_type=matter_type,
        legal_basis=law,
        kind=kind,
        scope=scope,
        legal_limit=legal,
        limit_unit=unit,
        result_name=result,
        result_type=result_type or ("证照" if licensed else "其他"),
        result_license=result if licensed else "",
        objects=objects,
        materials=materials,
        **more,
    )


def _variants(
    labels: tuple[str, ...], *, promised: int, cancel: tuple[Mat, ...]
) -> tuple[Variant, ...]:
    variants = []
    for label in labels:
        if label.startswith(("注销", "终止")) or label.endswith("注销"):
            variants.append(
                sub(
                    label,
                    case_kind=INSTANT,
                    promised_limit=0,
                    steps=STEPS_INSTANT,
                    materials=cancel,
                )
            )
        elif label.startswith("变更") or label.endswith("变更"):
            variants.append(
                sub(
                    label,
                    promised_limit=min(promised, 3),
                    steps=STEPS_STANDARD,
                    more=(CHANGE_PROOF,),
                )
            )
        elif label in ("延续", "换证", "延期", "校验"):
            variants.append(sub(label, more=(LICENCE_ORIGINAL,)))
        elif label in ("补办", "补证", "补发"):
            variants.append(sub(label, promised_limit=min(promised, 3), steps=STEPS_STANDARD))
        else:
            variants.append(sub(label))
    return tuple(variants)  # fmt: skip


def licence(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("准营准办",),
    person: tuple[str, ...] = (),
    objects: tuple[str, ...] = ENTERPRISE,
    legal: int = 20,
    promised: int = 10,
    result: str = "",
    extra: tuple[Mat, ...] = (),
    subs: tuple[str, ...] = ("新办", "变更", "延续", "注销"),
    inspection: bool = True,
    **more: Any,
) -> Matter:
    """An operating licence (行政许可) with its sub-items; the result is "<name>证" by default."""
    applicant = _applicant(objects)
    return _matter(
        name, law, kind, scope,
        matter_type=LICENSING, objects=objects, themes=themes, person=person, legal=legal,
        promised=promised, result=result or (name if name.endswith("证") else f"{name}证"),
        steps=STEPS_INSPECTION if inspection else STEPS_STANDARD,
        materials=(form(f"{name}申请表"), *applicant, *extra, PROXY),
        variants=_variants(subs, promised=promised, cancel=(applicant[0], CANCEL_REASON, LICENCE_ORIGINAL)),
        **more,
    )  # fmt: skip


def approval(name: str, law: str, kind: str, scope: tuple[str, ...], **kw: Any) -> Matter:
    """A one-off approval (行政许可) without sub-items; the result is a decision."""
    kw.setdefault("result", f"准予{name.removesuffix('审批')}决定书")
    kw.setdefault("result_type", "批文")
    kw.setdefault("inspection", False)
    return licence(name, law, kind, scope, subs=(), **kw)


def registration(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    subs: tuple[str, ...] = ("设立", "变更", "注销"),
    themes: tuple[str, ...] = ("设立变更",),
    person: tuple[str, ...] = (),
    objects: tuple[str, ...] = ENTERPRISE,
    legal: int = 20,
    promised: int = 5,
    result: str = "",
    extra: tuple[Mat, ...] = (),
    **more: Any,
) -> Matter:
    """A registration (登记, 行政确认) with its sub-items."""
    applicant = _applicant(objects)
    return _matter(
        name, law, kind, scope,
        matter_type=CONFIRMATION, objects=objects, themes=themes, person=person, legal=legal,
        promised=promised, result=result or f"{name}凭证",
        materials=(form(f"{name}申请书"), *applicant, *extra, PROXY),
        variants=_variants(subs, promised=promised, cancel=(form(f"{name}注销申请书"), CANCEL_REASON)),
        **more,
    )  # fmt: skip


def recognition(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("资质认证",),
    person: tuple[str, ...] = (),
    objects: tuple[str, ...] = PERSON,
    legal: int = 20,
    promised: int = 10,
    result: str = "",
    extra: tuple[Mat, ...] = (),
    matter_type: str = CONFIRMATION,
    **more: Any,
) -> Matter:
    """A recognition or confirmation (认定、确认、评定、审核, 行政确认)."""
    return _matter(
        name, law, kind, scope,
        matter_type=matter_type, objects=objects, themes=themes, person=person, legal=legal,
        promised=promised, result=result or f"{name}结果", steps=STEPS_CERTIFICATE,
        materials=(form(f"{name}申请表"), *_applicant(objects), *extra, PROXY),
        **more,
    )  # fmt: skip


def filing(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("准营准办",),
    person: tuple[str, ...] = (),
    objects: tuple[str, ...] = ENTERPRISE,
    days: int = 0,
    extra: tuple[Mat, ...] = (),
    matter_type: str = OTHER_POWER,
    **more: Any,
) -> Matter:
    """A filing (备案): instant and fully online unless it takes `days`."""
    more.setdefault("depth", DEPTH_FULL)
    more.setdefault("bookable", False)
    return _matter(
        name, law, kind, scope,
        matter_type=matter_type, objects=objects, themes=themes, person=person,
        legal=days * 2, promised=days, instant=days == 0, result=f"{name}回执",
        steps=(("受理", WINDOW), ("备案", REVIEWER)),
        materials=(form(f"{name}表"), *_applicant(objects), *extra),
        **more,
    )  # fmt: skip


def certificate(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("其他",),
    person: tuple[str, ...] = ("证件办理",),
    objects: tuple[str, ...] = PERSON,
    extra: tuple[Mat, ...] = (),
    **more: Any,
) -> Matter:
    """A certificate or record issued on request (证明、查询打印): instant and fully online."""
    more.setdefault("depth", DEPTH_FULL)
    more.setdefault("bookable", False)
    more.setdefault("kiosk", True)
    result = (
        name.removesuffix("开具").removesuffix("出具").removesuffix("查询打印").removesuffix("查询")
    )
    return _matter(
        name, law, kind, scope,
        matter_type=PUBLIC_SERVICE, objects=objects, themes=themes, person=person, legal=0,
        promised=0, instant=True, result=result,
        materials=(*_applicant(objects), *extra, PROXY),
        **more,
    )  # fmt: skip


def service(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("其他",),
    person: tuple[str, ...] = ("其他",),
    objects: tuple[str, ...] = PERSON,
    legal: int = 10,
    promised: int = 5,
    result: str = "",
    extra: tuple[Mat, ...] = (),
    **more: Any,
) -> Matter:
    """A public service (公共服务) handled at once or within a few days."""
    more.setdefault("depth", DEPTH_APPLY)
    return _matter(
        name, law, kind, scope,
        matter_type=PUBLIC_SERVICE, objects=objects, themes=themes, person=person, legal=legal,
        promised=promised, result=result or f"{name}办理结果",
        materials=(form(f"{name}申请表"), *_applicant(objects), *extra, PROXY),
        **more,
    )  # fmt: skip


def subsidy(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    themes: tuple[str, ...] = ("社会保障",),
    person: tuple[str, ...] = ("社会保障",),
    objects: tuple[str, ...] = PERSON,
    legal: int = 20,
    promised: int = 10,
    extra: tuple[Mat, ...] = (),
    **more: Any,
) -> Matter:
    """A subsidy, allowance or benefit paid on application (行政给付)."""
    more.setdefault("depth", DEPTH_FULL)
    paid = name.removesuffix("申领").removesuffix("申请").removesuffix("给付")
    return _matter(
        name, law, kind, scope,
        matter_type=BENEFIT, objects=objects, themes=themes, person=person, legal=legal,
        promised=promised, result=f"{paid}（发放至申请人账户）", steps=STEPS_BENEFIT,
        materials=(form(f"{name}表"), *_applicant(objects), *extra, BANK_CARD),
        **more,
    )  # fmt: skip


def reward(name: str, law: str, kind: str, scope: tuple[str, ...], **kw: Any) -> Matter:
    """A reward (行政奖励)."""
    kw.setdefault("legal", 30)
    kw.setdefault("promised", 20)
    kw.setdefault("result", "奖励决定及奖金、证书")
    return recognition(name, law, kind, scope, matter_type=REWARD, **kw)


def adjudication(name: str, law: str, kind: str, scope: tuple[str, ...], **kw: Any) -> Matter:
    """An adjudication of a dispute (行政裁决), counted in calendar days."""
    kw.setdefault("objects", ("1", "2", "6"))
    kw.setdefault("themes", ("司法公证",))
    kw.setdefault("person", ("司法公证",))
    return recognition(
        name, law, kind, scope, matter_type=ADJUDICATION, legal=kw.pop("legal", 60),
        promised=kw.pop("promised", 45), unit="day", result="行政裁决书",
        extra=(Mat("争议事实、理由及证据材料", "申请人"),),
        special_procedures="调查取证、听证（不计入办理时限）", **kw,
    )  # fmt: skip


def levy(
    name: str,
    law: str,
    kind: str,
    scope: tuple[str, ...],
    *,
    fee: Fee,
    fee_basis: str,
    themes: tuple[str, ...] = ("税收财务", "投资审批"),
    **more: Any,
) -> Matter:
    """A levy (行政征收) assessed and collected when a project is approved."""
    more.setdefault("payable_online", True)
    return _matter(
        name, law, kind, scope,
        matter_type=LEVY, objects=ENTERPRISE, themes=themes, person=(), legal=10, promised=3,
        result="缴款通知书", fees=(fee,), fee_basis=fee_basis,
        steps=(("受理", WINDOW), ("核定", REVIEWER), ("开具缴款通知", APPROVER)),
        materials=(form(f"{name}申报表"), BUSINESS_LICENCE, Mat("项目审批（核准、备案）文件", "有关主管部门")),
        **more,
    )  # fmt: skip


_POWER_STEPS: dict[str, Steps] = {
    "02": (("立案", REVIEWER), ("调查取证", REVIEWER), ("告知", REVIEWER), ("决定", APPROVER)),
    "03": (("审批", APPROVER), ("实施", REVIEWER), ("解除或处理", APPROVER)),
    "04": (("核定", REVIEWER), ("征收", APPROVER)),
    "06": (("检查", REVIEWER), ("处理", APPROVER)),
}
_POWER_RESULTS = {
    "02": "行政处罚决定书",
    "03": "行政强制决定书",
    "04": "缴款通知书",
    "06": "监督检查记录",
}


def power(
    name: str,
    matter_type: str,
    law: str,
    kind: str,
    *,
    level: str,
    objects: tuple[str, ...] = ("1", "2", "6"),
    themes: tuple[str, ...] = ("市场监管",),
    person: tuple[str, ...] = ("其他",),
    **more: Any,
) -> Matter:
    """A power exercised ex officio (行政处罚 02, 行政强制 03, 行政征收 04, 行政检查 06): in the basic
    catalog at its level of exercise, but without implementation items."""
    return _matter(
        name, law, kind, (),
        matter_type=matter_type, objects=objects, themes=themes, person=person, legal=90,
        promised=90, unit="day", result=_POWER_RESULTS[matter_type], steps=_POWER_STEPS[matter_type],
        level=level, depth="1", bookable=False, **more,
    )  # fmt: skip
