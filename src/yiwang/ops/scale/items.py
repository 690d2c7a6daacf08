"""The published items cases are generated for, with their steps and popularity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from yiwang.accounts.models import Role
from yiwang.cases.states import decision_order
from yiwang.catalog.codes import OnlineDepth, ServiceObject, TimeUnit
from yiwang.catalog.models import ImplementationItem, ItemStatus, Step
from yiwang.ops.scale.people import CASE_ROLES, StaffPlan, item_popularity


@dataclass(frozen=True)
class StepDef:
    order: int
    name: str
    role: str
    limit: int


@dataclass(frozen=True)
class Item:
    pk: int
    code: str
    department_id: int
    region_prefix: str
    version_id: int
    steps: tuple[StepDef, ...]
    legal_limit: int
    promised_limit: int
    calendar_days: bool
    online: bool
    for_persons: bool
    for_organisations: bool
    deliverable: bool
    license: bool
    result_name: str
    min_level: int
    fill: tuple[tuple[str, str], ...]  # (form field, identity source)
    decides: int = 0  # the order of the deciding step


ORGANISATION_CODES = {
    ServiceObject.ENTERPRISE,
    ServiceObject.INSTITUTION,
    ServiceObject.SOCIAL_ORGANISATION,
    ServiceObject.OTHER,
}


def items_load(staff: StaffPlan) -> tuple[list[Item], list[float]]:
    """The published items of staffed departments that persons or organisations apply for,
    with their popularity."""
    steps: dict[int, list[StepDef]] = defaultdict(list)
    for version_id, order, name, role, limit in Step.objects.order_by(
        "version_id", "order"
    ).values_list("version_id", "order", "name", "role", "limit"):
        steps[version_id].append(StepDef(order, name, role, limit))
    popularity = {pk: weight for pk, _, weight in item_popularity()}
    items: list[Item] = []
    weights: list[float] = []
    rows = (
        ImplementationItem.objects.filter(
            status=ItemStatus.PUBLISHED, current_version__isnull=False
        )
        .select_related("current_version")
        .order_by("code")
    )
    for item in rows:
        version = item.current_version
        assert version is not None  # noqa: S101 - filtered above
        objects = set(version.service_objects)
        persons, organisations = ServiceObject.PERSON in objects, bool(objects & ORGANISATION_CODES)
        if not (persons or organisations) or not staff.staffed(item.department_id):
            continue
        definitions = steps.get(version.pk) or [
            StepDef(1, "受理", Role.WINDOW_OFFICER, 1),
            StepDef(2, "审查决定", Role.APPROVER, max(version.promised_limit - 1, 0)),
        ]
        definitions = [d for d in definitions if d.role in CASE_ROLES] or definitions
        # Generated persons reach real-name level 2 at most (level 3 is checked in person).
        online = (
            version.online
            and version.online_depth in (OnlineDepth.ONLINE_APPLY, OnlineDepth.FULLY_ONLINE)
            and version.min_real_name_level <= 2
        )
        fill = tuple((f["name"], f["fill_from"]) for f in version.form_schema if f.get("fill_from"))
        entry = Item(
            pk=item.pk,
            code=item.code,
            department_id=item.department_id,
            region_prefix=item.region_prefix,
            version_id=version.pk,
            steps=tuple(definitions),
            legal_limit=version.legal_limit,
            promised_limit=version.promised_limit,
            calendar_days=version.promised_limit_unit == TimeUnit.CALENDAR_DAY,
            online=online,
            for_persons=persons,
            for_organisations=organisations,
            deliverable=version.deliverable,
            license=bool(version.result_license_type),
            result_name=version.result_name,
            min_level=version.min_real_name_level,
            fill=fill,
            decides=decision_order(definitions),  # type: ignore[arg-type]
        )
        items.append(entry)
        weights.append(popularity.get(item.pk, 0.0001))
    if not items:
        raise RuntimeError("no published item in a staffed department: raise the scale")
    return items, weights
