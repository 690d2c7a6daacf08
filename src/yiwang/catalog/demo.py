"""The Qingyang demo catalog: 1,550 basic items and 5,184 published implementation items across
the city's 701 demo departments (REFERENCE §10), written in bulk.

The matters are plain data in `demo_data/` (real templates, their sub-items, further local,
provincial and ex-officio matters). Here each carried-out matter becomes, for every department
that carries it, an implementation item exactly as `services.item_create` + `services.item_publish`
would leave it (version 1 published, `current_version` set, the browsing columns copied as
`services._copy_to_item` copies them), but with a few bulk inserts instead of some 60,000 single
writes, so that `yiwang demo` stays well under a minute. Every version passes
`rules.quality_problems`; the demo checks that before writing anything. One audit record,
`catalog.demo_loaded`, stands for the per-item `catalog.item_created` and `catalog.published`.

DEMO DATA: the department codes are generated (see `regions/demo.py`), so are the consultation
phone numbers; places, hours and promised limits are illustrative.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from yiwang.catalog.codes import BodyNature, ExerciseLevel, OnlineDepth, TimeUnit
from yiwang.catalog.demo_data.catalog import BasicSpec, basic_specs
from yiwang.catalog.demo_data.common import (
    CITY,
    COUNTY,
    INSTANT,
    LICENSE_TYPES,
    LICENSING,
    TOWNSHIP,
    Matter,
)
from yiwang.catalog.models import (
    BasicItem,
    ImplementationItem,
    ItemStatus,
    ItemVersion,
    Material,
    Step,
    VersionState,
)
from yiwang.catalog.rules import (
    check_implementation_code,
    implementation_code,
    limit_reduction,
    quality_problems,
    search_text,
)
from yiwang.catalog.services import SYSTEM
from yiwang.core.audit import audit_record
from yiwang.core.pagecache import public_changed
from yiwang.regions.models import Department, Hall, Region, Window
from yiwang.regions.selectors import city_get, departments_within, halls_within, regions_within

COUNT_KEYS = ("basic_items", "implementation_items", "materials", "steps")
IMPLEMENTATION_LEVEL = {
    CITY: ExerciseLevel.CITY,
    COUNTY: ExerciseLevel.COUNTY,
    TOWNSHIP: ExerciseLevel.TOWNSHIP,
}
# Gansu's office hours: the afternoon starts half an hour later in summer.
HOURS = (
    "工作日 上午8:30—12:00；下午14:30—18:00（夏季，5月1日至9月30日），"
    "14:00—17:30（冬季，10月1日至次年4月30日）；法定节假日除外"
)
COMPLAINT_PHONE = "12345"  # 12345政务服务便民热线
# 办理形式 by online depth: window, PC, mobile (快递申请 is added where results are posted).
HANDLING_FORMS: dict[str, tuple[str, ...]] = {
    OnlineDepth.PUBLIC: ("1",),
    OnlineDepth.PRE_REVIEW: ("1", "2"),
    OnlineDepth.ONLINE_APPLY: ("1", "2", "3"),
    OnlineDepth.FULLY_ONLINE: ("1", "2", "3"),
}
_BATCH = 500


class DemoCatalogError(RuntimeError):
    """A demo matter that would not pass the publishing checks (a bug in the demo data)."""


def catalog_demo_load(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Load the demo catalog into an empty catalog; return how many rows of each were written.

    Does nothing (all counts 0) when the catalog already has items, so a second run is harmless.
    Needs the demo regions and departments (`regions.services.demo_load`).
    """
    if BasicItem.objects.exists() or ImplementationItem.objects.exists():
        return dict.fromkeys(COUNT_KEYS, 0)
    now = now or timezone.now()
    specs = basic_specs()
    carriers = Carriers.load()
    plan = list(_plan(specs, carriers))
    with transaction.atomic():
        public_changed()
        basics = _write_basic_items(specs)
        counts = _write_items(plan, basics, now=now)
        counts = {"basic_items": len(basics), **counts}
        audit_record(actor=SYSTEM, action="catalog.demo_loaded", detail=counts, now=now)
    return counts


# --- Who carries what, where -------------------------------------------------------------------


@dataclass
class Carriers:
    """The city's regions, departments, halls and windows, read once."""

    regions: dict[str, list[Region]] = field(default_factory=dict)  # by level
    departments: dict[tuple[str, str], list[Department]] = field(default_factory=dict)
    halls: dict[str, Hall] = field(default_factory=dict)  # by region code
    windows: dict[tuple[int, int], Window] = field(default_factory=dict)  # (hall, department)
    heads: set[int] = field(default_factory=set)  # departments heading their kind in a region
    general_windows: dict[int, list[Window]] = field(default_factory=dict)  # by hall

    @classmethod
    def load(cls) -> Carriers:
        city = city_get()
        carriers = cls()
        for region in regions_within(region=city).exclude(level=Region.Level.VILLAGE):
            carriers.regions.setdefault(region.level, []).append(region)
        all_departments = list(departments_within(region=city).filter(is_active=True))
        region_of = {d.pk: d.region_id for d in all_departments}
        by_key: dict[tuple[str, str], list[Department]] = defaultdict(list)
        for department in all_departments:
            # A department heads its kind in a region unless its parent sits in the same region
            # (社会保险服务中心 under 人社局; but a 派出所 or a county's 税务局 heads its own).
            parent_region = region_of.get(department.parent_id or 0)
            if parent_region != department.region_id:
                carriers.heads.add(department.pk)
            by_key[(department.region_id, department.kind)].append(department)
        carriers.departments = dict(by_key)
        halls = list(halls_within(region=city))
        carriers.halls = {hall.region_id: hall for hall in halls}
        for window in Window.objects.filter(hall__in=halls, is_active=True).order_by(
            "hall_id", "number"
        ):
            if window.department_id is not None:
                carriers.windows.setdefault((window.hall_id, window.department_id), window)
            elif window.kind == Window.Kind.GENERAL:
                carriers.general_windows.setdefault(window.hall_id, []).append(window)
        return carriers

    def department(self, region: Region, matter: Matter) -> Department | None:
        """The department of `region` that carries `matter`: the one whose name holds the hint,
        else the head of its kind; in a township, the 便民服务中心 receives what no station
        there carries."""
        found = self._pick(region.code, matter.kind, matter.hint)
        if found is None and region.level == Region.Level.TOWNSHIP:
            found = self._pick(region.code, Department.Kind.TOWNSHIP_SERVICE_CENTER, "")
        return found

    def _pick(self, region_code: str, kind: str, hint: str) -> Department | None:
        candidates = self.departments.get((region_code, kind), [])
        if hint:
            named = [d for d in candidates if hint in d.name]
            if named:
                return named[0]
            if kind == Department.Kind.OTHER:
                return None  # 其他 is too broad to fall back on
        heads = [d for d in candidates if d.pk in self.heads]
        return heads[0] if heads else None

    def place(self, department: Department, matter: Matter) -> str:
        hall = self.halls.get(department.region_id)
        if hall is None:
            return (
                matter.place.format(department=department.name) if matter.place else department.name
            )
        # The department's own window, or its parent's (出入境支队 and 交警 at the 公安 window).
        window = self.windows.get((hall.pk, department.pk)) or self.windows.get(
            (hall.pk, department.parent_id or 0)
        )
        if window is not None:
            return f"{hall.name}{window.number}{window.name}"
        if matter.place:
            return matter.place.format(department=department.name)
        general = self.general_windows.get(hall.pk, [])
        if len(general) > 1:
            return f"{hall.name}综合受理窗口（{general[0].number}—{general[-1].number}）"
        if general:
            return f"{hall.name}{general[0].number}综合受理窗口"
        return f"{hall.name}综合受理窗口"


@dataclass(frozen=True)
class Planned:
    """One implementation item to write."""

    spec: BasicSpec
    matter: Matter
    department: Department
    level: str
    code: str
    content: dict[str, Any]  # the version's fields


def _plan(specs: list[BasicSpec], carriers: Carriers) -> Iterable[Planned]:
    """Every implementation item, checked: a valid unique code and a version that would publish."""
    seen: set[str] = set()
    for spec in specs:
        matter = spec.matter
        if matter is None:
            continue
        shared = version_content(matter)
        for scope in matter.scope:
            for region in carriers.regions.get(scope, []):
                department = carriers.department(region, matter)
                if department is None:
                    continue
                level = IMPLEMENTATION_LEVEL[scope]
                code = implementation_code(uscc=department.uscc, level=level, basic_code=spec.code)
                check_implementation_code(code)
                if code in seen:
                    raise DemoCatalogError(f"implementation code {code} planned twice")
                seen.add(code)
                content = {
                    **shared,
                    "place": carriers.place(department, matter),
                    "consult_phone": consult_phone(department),
                }
                problems = quality_problems(ItemVersion(**content), step_count=len(matter.steps))
                if problems:
                    messages = "；".join(p.message for p in problems)
                    raise DemoCatalogError(f"{matter.name}（{department.name}）：{messages}")
                yield Planned(spec, matter, department, level, code, content)


# --- The content of a version ------------------------------------------------------------------


def version_content(matter: Matter) -> dict[str, Any]:
    """The fields of the published version but those that depend on the department (place and
    consultation phone)."""
    depth = matter.depth
    visits = (
        matter.visits
        if matter.visits is not None
        else (0 if depth == OnlineDepth.FULLY_ONLINE else 1)
    )
    reason = ""
    if visits:
        reason = matter.visits_reason or (
            "到现场核验申请材料原件并领取办理结果"
            if depth == OnlineDepth.ONLINE_APPLY
            else "到现场提交申请材料"
        )
    forms = list(HANDLING_FORMS[depth]) + (["4"] if matter.deliverable else [])
    unit = matter.limit_unit
    return {
        "name": matter.name,
        "case_kind": matter.case_kind,
        "legal_limit": matter.legal_limit,
        "legal_limit_unit": unit,
        "legal_limit_note": matter.legal_note,
        "promised_limit": matter.promised_limit,
        "promised_limit_unit": unit,
        "promised_limit_note": _promised_note(matter),
        "acceptance_conditions": matter.conditions or _default_conditions(matter),
        "joint_bodies": matter.joint_bodies,
        "intermediary_services": matter.intermediary,
        "quantity_limit": matter.quantity_limit or "无数量限制",
        "result_name": matter.result_name,
        "result_type": matter.result_type,
        "result_license_type": LICENSE_TYPES.get(matter.result_license, ""),
        "charged": bool(matter.fees),
        "fee_basis": matter.fee_basis,
        "fees": [{"name": f.name, "amount": f.amount, "basis": f.basis} for f in matter.fees],
        "reach": matter.reach,
        "service_objects": list(matter.objects),
        "person_themes": list(matter.person_themes),
        "enterprise_themes": list(matter.enterprise_themes),
        "handling_forms": forms,
        "special_procedures": matter.special_procedures,
        "bookable": matter.bookable,
        "payable_online": matter.payable_online,
        "deliverable": matter.deliverable,
        "kiosk": matter.kiosk,
        "online": depth in (OnlineDepth.ONLINE_APPLY, OnlineDepth.FULLY_ONLINE),
        "online_depth": depth,
        "visits": visits,
        "visits_reason": reason,
        "hours": HOURS,
        "complaint_phone": COMPLAINT_PHONE,
        "faq": [{"q": q, "a": a} for q, a in _faq(matter)],
    }


def _promised_note(matter: Matter) -> str:
    if matter.case_kind == INSTANT:
        return "即来即办，材料齐全、符合法定形式的当场办结"
    cut = limit_reduction(
        legal=matter.legal_limit,
        promised=matter.promised_limit,
        legal_unit=matter.limit_unit,
        promised_unit=matter.limit_unit,
    )
    unit = TimeUnit(matter.limit_unit).label
    return f"承诺{matter.promised_limit}个{unit}办结，比法定时限压缩{cut}%" if cut else ""


def _default_conditions(matter: Matter) -> str:
    basis = matter.legal_basis.split("；")[0]
    return f"申请人符合{basis}等规定的条件，申请材料齐全、符合法定形式"


def _faq(matter: Matter) -> list[tuple[str, str]]:
    entries = list(matter.faq)
    if matter.depth == OnlineDepth.FULLY_ONLINE:
        entries.append(
            ("可以在网上办理吗？", "可以。通过甘肃政务服务网或“甘快办”App全程网办，无需到现场。")
        )
    if matter.deliverable:
        entries.append(
            ("办理结果可以邮寄吗？", "可以。申请时选择邮寄送达，办理结果通过政务专递寄出。")
        )
    if matter.matter_type == LICENSING:
        entries.append((
            "对办理结果不服怎么办？",
            "可以自知道该行政行为之日起六十日内申请行政复议，或者自知道之日起六个月内提起行政诉讼。",
        ))  # fmt: skip
    if any(m.name.startswith("授权委托书") for m in matter.materials):
        entries.append(("可以委托他人代办吗？", "可以。受托人须携带授权委托书和本人居民身份证。"))
    return entries[:3]


def step_limits(promised: int, count: int) -> list[int]:
    """The promised limit spread over `count` steps (the review step takes the remainder)."""
    if count == 0:
        return []
    limits = [promised // count] * count
    limits[min(1, count - 1)] += promised % count
    return limits


def consult_phone(department: Department) -> str:
    """A made-up local number of the department (0934 is Qingyang's area code)."""
    digits = int(hashlib.sha256(department.uscc.encode()).hexdigest(), 16) % 10**6
    return f"0934-8{digits:06d}"


def body_nature(department: Department) -> str:
    if department.kind == Department.Kind.TOWNSHIP_SERVICE_CENTER:
        return BodyNature.ENTRUSTED
    return BodyNature.STATUTORY if department.uscc.startswith("11") else BodyNature.AUTHORIZED


# --- Writing ----------------------------------------------------------------------------------


def _write_basic_items(specs: list[BasicSpec]) -> dict[str, BasicItem]:
    """Main items first, then sub-items pointing at them."""
    rows: dict[str, BasicItem] = {}
    for with_parent in (False, True):
        batch = [
            BasicItem(
                code=spec.code,
                name=spec.name,
                matter_type=spec.matter_type,
                legal_basis=spec.legal_basis,
                level=spec.level,
                parent=rows[spec.parent_code] if spec.parent_code else None,
                source=spec.source,
            )
            for spec in specs
            if bool(spec.parent_code) is with_parent
        ]
        for item in BasicItem.objects.bulk_create(batch, batch_size=_BATCH):
            rows[item.code] = item
    return rows


def _write_items(
    plan: list[Planned], basics: dict[str, BasicItem], *, now: dt.datetime
) -> dict[str, int]:
    texts: dict[str, str] = {}
    items = []
    for planned in plan:
        spec, content, department = planned.spec, planned.content, planned.department
        if spec.code not in texts:
            # As `services._copy_to_item` computes it.
            texts[spec.code] = search_text(
                content["name"],
                spec.name,
                extra=[
                    *content["person_themes"],
                    *content["enterprise_themes"],
                    content["result_name"],
                ],
            )
        items.append(
            ImplementationItem(
                code=planned.code,
                basic_item=basics[spec.code],
                department=department,
                region_id=department.region_id,
                region_prefix=department.region_prefix,
                level=planned.level,
                body_nature=body_nature(department),
                status=ItemStatus.PUBLISHED,
                name=content["name"],
                matter_type=spec.matter_type,
                search_text=texts[spec.code],
                person_themes=list(content["person_themes"]),
                enterprise_themes=list(content["enterprise_themes"]),
            )
        )
    ImplementationItem.objects.bulk_create(items, batch_size=_BATCH)
    versions = [
        ItemVersion(
            item=item,
            number=1,
            state=VersionState.PUBLISHED,
            created_by=SYSTEM,
            published_at=now,
            published_by=SYSTEM,
            **planned.content,
        )
        for planned, item in zip(plan, items, strict=True)
    ]
    ItemVersion.objects.bulk_create(versions, batch_size=_BATCH // 2)
    # Publishing makes version 1 current (`services.item_publish`).
    ImplementationItem.objects.filter(current_version__isnull=True).update(
        current_version=Subquery(
            ItemVersion.objects.filter(item=OuterRef("pk"), number=1).values("pk")[:1]
        )
    )
    materials: list[Material] = []
    steps: list[Step] = []
    for planned, version in zip(plan, versions, strict=True):
        matter = planned.matter
        materials.extend(_materials(version, matter))
        promised = 0 if matter.case_kind == INSTANT else matter.promised_limit
        limits = step_limits(promised, len(matter.steps))
        steps.extend(
            Step(version=version, order=order, name=name, role=role, limit=limit)
            for order, ((name, role), limit) in enumerate(
                zip(matter.steps, limits, strict=True), start=1
            )
        )
    Material.objects.bulk_create(materials, batch_size=_BATCH * 2)
    Step.objects.bulk_create(steps, batch_size=_BATCH * 2)
    return {"implementation_items": len(items), "materials": len(materials), "steps": len(steps)}


def _materials(version: ItemVersion, matter: Matter) -> list[Material]:
    unique = list({m.name: m for m in matter.materials}.values())
    return [
        Material(
            version=version,
            seq=seq,
            name=m.name,
            issuer=m.issuer,
            originals=m.originals,
            copies=m.copies,
            required=m.required,
            license_type_code=LICENSE_TYPES.get(m.license, ""),
            note=m.note,
        )
        for seq, m in enumerate(unique, start=1)
    ]
