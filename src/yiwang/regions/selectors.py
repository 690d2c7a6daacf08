"""Reads of regions, departments and halls, scoped by region code prefix.

"Within a region" means every row whose code (or `region_prefix`) starts with the region's
prefix, the region itself included. The match is written as a range, `prefix <= x < prefix + ":"`
(see `rules.prefix_range`), so that SQLite and PostgreSQL both answer it from the B-tree index on
`prefix` / `region_prefix`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from yiwang.regions.models import Department, Hall, Region
from yiwang.regions.rules import prefix_range

DEFAULT_CITY_CODE = "621000000000"


def _within(field: str, prefix: str) -> Q:
    low, high = prefix_range(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def region_get(*, code: str) -> Region:
    """The region with this 12-digit code; raises `Region.DoesNotExist`."""
    return Region.objects.get(code=code)


def city_get() -> Region:
    """The configured city (`settings.YIWANG["CITY_CODE"]`, 庆阳市 by default)."""
    code = getattr(settings, "YIWANG", {}).get("CITY_CODE", DEFAULT_CITY_CODE)
    return region_get(code=code)


def region_children(*, region: Region) -> QuerySet[Region]:
    """The regions directly under `region`, by code."""
    return Region.objects.filter(parent=region).order_by("code")


def regions_within(*, region: Region) -> QuerySet[Region]:
    """`region` and every region under it, at any depth, by code."""
    return Region.objects.filter(_within("prefix", region.prefix)).order_by("code")


def departments_within(*, region: Region) -> QuerySet[Department]:
    """Departments of `region` and of every region under it, by region code and name."""
    return Department.objects.filter(_within("region_prefix", region.prefix)).order_by(
        "region_id", "name"
    )


def departments_at(*, region: Region) -> QuerySet[Department]:
    """Departments of exactly `region` (not of the regions under it), by name."""
    return Department.objects.filter(region=region).order_by("name")


def halls_within(*, region: Region) -> QuerySet[Hall]:
    """Halls of `region` and of every region under it, by region code and name."""
    return Hall.objects.filter(_within("region_prefix", region.prefix)).order_by(
        "region_id", "name"
    )


def region_overview(*, city: Region) -> dict[str, Any]:
    """Figures for the portal's home page: the city, its counties with their department and
    township counts, and the city's own departments. Five queries, whatever the size."""
    counties = list(
        region_children(region=city)
        .filter(level=Region.Level.COUNTY)
        .annotate(township_count=Count("children", filter=Q(children__level=Region.Level.TOWNSHIP)))
    )
    # Keyed by the first six digits of region_prefix: a county's prefix, or "6210" for the city.
    per_county = dict(
        departments_within(region=city)
        .order_by()
        .annotate(county_prefix=Substr("region_prefix", 1, 6))
        .values("county_prefix")
        .annotate(count=Count("pk"))
        .values_list("county_prefix", "count")
    )
    for county in counties:
        county.department_count = per_county.get(county.prefix, 0)  # type: ignore[attr-defined]
    level_counts = dict(
        regions_within(region=city)
        .order_by()
        .values("level")
        .annotate(count=Count("pk"))
        .values_list("level", "count")
    )
    city_departments = list(departments_at(region=city))
    return {
        "city": city,
        "counties": counties,
        "township_count": level_counts.get(Region.Level.TOWNSHIP, 0),
        "village_count": level_counts.get(Region.Level.VILLAGE, 0),
        "department_count": sum(per_county.values()),
        "city_department_count": len(city_departments),
        "city_departments": city_departments,
    }
