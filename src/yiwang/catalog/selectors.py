"""Catalog reads for the public guide and the API: published matters, browsing, search."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from yiwang.accounts.models import Staff
from yiwang.catalog.codes import ENTERPRISE_THEMES, PERSON_THEMES
from yiwang.catalog.models import ImplementationItem, ItemStatus, ItemVersion, Material, Step
from yiwang.catalog.rules import theme_key
from yiwang.core.pagecache import public_cached
from yiwang.regions.models import Region

PUBLIC_STATUSES = (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED)
AUDIENCES = {"person": PERSON_THEMES, "enterprise": ENTERPRISE_THEMES}
MAX_QUERY_TERMS = 5


def items_public() -> QuerySet[ImplementationItem]:
    """Matters the public may see: published, and suspended ones (shown as suspended)."""
    return ImplementationItem.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "department", "region"
    )


@dataclass(frozen=True)
class MatterFilter:
    q: str = ""
    audience: str = ""  # "person" / "enterprise"
    theme: str = ""
    region: Region | None = None
    within: bool = False  # with `region`: also the regions under it
    department_id: int | None = None
    matter_type: str = ""
    order: str = "hot"  # "hot" or "code"


def items_search(*, filters: MatterFilter) -> QuerySet[ImplementationItem]:
    """Published matters matching every filter. Chinese text matches any part of the name,
    the themes or the result; pinyin initials (hz) and full pinyin (huzhao) match names."""
    items = items_public()
    terms = [t.lower() for t in filters.q.split() if t.strip()][:MAX_QUERY_TERMS]
    for term in terms:
        items = items.filter(search_text__contains=term)
    if filters.theme:
        audiences = [filters.audience] if filters.audience in AUDIENCES else list(AUDIENCES)
        theme_q = Q()
        for audience in audiences:
            theme_q |= Q(theme_keys__contains=theme_key(audience, filters.theme))
        items = items.filter(theme_q)
    if filters.region is not None:
        if filters.within:
            prefix = filters.region.prefix
            items = items.filter(region_prefix__gte=prefix, region_prefix__lt=prefix + ":")
        else:
            items = items.filter(region=filters.region)
    if filters.department_id:
        items = items.filter(department_id=filters.department_id)
    if filters.matter_type:
        items = items.filter(matter_type=filters.matter_type)
    if filters.order == "code":
        return items.order_by("code")
    return items.order_by("-application_count", "code")


def item_guide(*, code: str) -> ImplementationItem:
    """One public matter with its current version, materials and steps (raises DoesNotExist)."""
    version = Prefetch(
        "current_version",
        queryset=ItemVersion.objects.prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("seq")),
            Prefetch("steps", queryset=Step.objects.order_by("order")),
        ),
    )
    return (
        items_public()
        .select_related("basic_item", "department__region")
        .prefetch_related(version)
        .get(code=code.strip().upper(), current_version__isnull=False)
    )


def theme_counts(*, audience: str) -> list[tuple[str, int]]:
    """Each theme of an audience with its number of public matters (cached with the public
    content, `core.pagecache`)."""
    return public_cached(f"theme_counts:{audience}", lambda: _theme_counts(audience))


def _theme_counts(audience: str) -> list[tuple[str, int]]:
    counter: Counter[str] = Counter()
    prefix = theme_key(audience, "")[:-1]  # "p:" or "e:"
    for keys in items_public().values_list("theme_keys", flat=True).iterator(chunk_size=2000):
        for piece in keys.split("|"):
            if piece.startswith(prefix):
                counter[piece[len(prefix) :]] += 1
    return [(theme, counter[theme]) for theme in AUDIENCES[audience] if counter[theme]]


def hot_items(*, limit: int = 12) -> list[ImplementationItem]:
    """The most applied-for matters (one per name, so the city and counties don't repeat)."""
    seen: set[str] = set()
    hot: list[ImplementationItem] = []
    for item in items_public().order_by("-application_count", "code")[: limit * 12]:
        if item.name not in seen:
            seen.add(item.name)
            hot.append(item)
        if len(hot) == limit:
            break
    return hot


def items_for_manager(*, staff: Staff) -> QuerySet[ImplementationItem]:
    """What a catalog manager may edit: their department's items, or every item of their region
    for the government-services department (the same rule as `services.require_editor`)."""
    items = ImplementationItem.objects.select_related("department", "current_version")
    if staff.department.kind == "government_services":
        prefix = staff.region_prefix
        return items.filter(region_prefix__gte=prefix, region_prefix__lt=prefix + ":")
    return items.filter(department_id=staff.department_id)


def item_for_manager(*, staff: Staff, code: str) -> ImplementationItem:
    return items_for_manager(staff=staff).select_related("basic_item").get(code=code)
