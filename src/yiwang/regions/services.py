"""Every write to regions, departments, halls and windows.

The loaders are idempotent: they create what is missing (in bulk) and leave existing rows alone,
except that `regions_load` brings a region's name, level, parent and prefix in line with the file.
Demo departments carry GENERATED credit codes, not the real ones (see `demo.py`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from yiwang.core.errors import ErrorCode, YiwangError
from yiwang.core.identifiers import (
    PROVINCE_CODES,
    IdentifierError,
    check_uscc,
    region_level,
    region_prefix,
)
from yiwang.core.pagecache import public_changed
from yiwang.regions import demo
from yiwang.regions.models import Department, Hall, Region, Window
from yiwang.regions.rules import LEVEL_ORDER, township_display_name
from yiwang.regions.selectors import (
    city_get,
    departments_within,
    region_children,
    regions_within,
)

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "qingyang-divisions.csv"

_BATCH_SIZE = 500


# --- Regions ------------------------------------------------------------------------------------


@transaction.atomic
def regions_load(*, path: Path | None = None) -> int:
    """Load the division CSV (default: the shipped Qingyang file); return how many were created.

    Regions are matched by code: new ones are created, changed ones updated, none deleted, so a
    second run changes nothing. The province of a top-level row (甘肃省 620000000000 for 庆阳市) is
    added when the file does not list it.
    """
    wanted = _read_divisions(path or DIVISIONS_CSV)
    # One city's divisions are a few thousand rows: reading them all beats a long IN list.
    codes = {region.code for region in wanted}
    existing = {r.code: r for r in Region.objects.all() if r.code in codes}
    to_create: list[Region] = []
    to_update: list[Region] = []
    for region in wanted:
        current = existing.get(region.code)
        if current is None:
            to_create.append(region)
        elif _region_fields(current) != _region_fields(region):
            current.name = region.name
            current.level = region.level
            current.parent_id = region.parent_id
            current.prefix = region.prefix
            to_update.append(current)
    Region.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    public_changed()
    Region.objects.bulk_update(
        to_update, ["name", "level", "parent", "prefix"], batch_size=_BATCH_SIZE
    )
    return len(to_create)


def _read_divisions(path: Path) -> list[Region]:
    """Unsaved regions from the CSV plus any missing province, parents before children."""
    regions: dict[str, Region] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for line, row in enumerate(csv.DictReader(file), start=2):
            code = row["code"].strip()
            level = row["level"].strip()
            try:
                derived_level = region_level(code)
            except IdentifierError as exc:
                raise YiwangError(f"区划数据第{line}行：{exc.message}") from exc
            if level != derived_level:
                raise YiwangError(f"区划数据第{line}行：层级“{level}”与代码 {code} 不符")
            regions[code] = Region(
                code=code,
                name=row["name"].strip(),
                level=level,
                parent_id=row["parent_code"].strip() or None,
                prefix=region_prefix(code),
            )
    for region in list(regions.values()):
        parent_code = region.parent_id
        if parent_code is None or parent_code in regions:
            continue
        if region_level(parent_code) != Region.Level.PROVINCE:
            raise YiwangError(f"区划数据缺少 {region.name} 的上级区划 {parent_code}")
        regions[parent_code] = Region(
            code=parent_code,
            name=PROVINCE_CODES[parent_code[:2]],
            level=Region.Level.PROVINCE,
            parent_id=None,
            prefix=region_prefix(parent_code),
        )
    return sorted(regions.values(), key=lambda r: (LEVEL_ORDER.index(r.level), r.code))


def _region_fields(region: Region) -> tuple[str, str, str | None, str]:
    return region.name, region.level, region.parent_id, region.prefix


# --- Departments --------------------------------------------------------------------------------


@transaction.atomic
def region_save(*, region: Region) -> Region:
    """Save a region entered by hand; its level and prefix follow from its code."""
    try:
        region.level = region_level(region.code)
    except IdentifierError as exc:
        raise YiwangError(exc.message, fields={"code": [exc.message]}) from exc
    region.prefix = region_prefix(region.code)
    parent = region.parent
    if parent is not None and not region.code.startswith(parent.prefix):
        message = f"区划代码 {region.code} 不在上级区划 {parent.name} 之内。"
        raise YiwangError(message, fields={"parent": [message]})
    region.save()
    public_changed()
    return region


@transaction.atomic
def department_create(
    *,
    region: Region,
    name: str,
    kind: str,
    uscc: str,
    parent: Department | None = None,
    short_name: str = "",
) -> Department:
    """Create one department; the credit code is validated and `region_prefix` filled in."""
    if Department.objects.filter(region=region, name=name).exists():
        message = f"{region.name}已有名为“{name}”的部门。"
        raise YiwangError(message, code=ErrorCode.CONFLICT, fields={"name": [message]})
    department = Department(
        region=region, name=name, short_name=short_name, kind=kind, uscc=uscc, parent=parent
    )
    return department_save(department=department)


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Save a new or edited department: validate its credit code and kind, copy its region's
    prefix into `region_prefix`."""
    try:
        department.uscc = check_uscc(department.uscc)
    except IdentifierError as exc:
        raise YiwangError(exc.message, fields={"uscc": [exc.message]}) from exc
    if department.kind not in Department.Kind.values:
        raise YiwangError("部门类别不正确。", fields={"kind": ["部门类别不正确。"]})
    if Department.objects.filter(uscc=department.uscc).exclude(pk=department.pk).exists():
        message = "该统一社会信用代码已被其他部门使用。"
        raise YiwangError(message, code=ErrorCode.CONFLICT, fields={"uscc": [message]})
    department.region_prefix = department.region.prefix
    department.save()
    public_changed()
    return department


@transaction.atomic
def departments_load_demo() -> int:
    """Create the 701 demo departments of the city (see `demo.py`); return how many were created.

    Departments are matched by (region, name); existing ones are left as they are. The credit
    codes are generated demo codes, not the real ones.
    """
    city = _loaded_city()
    specs = _department_specs(city)
    regions = {region.code: region for region in regions_within(region=city)}
    existing = {(d.region_id, d.name) for d in _city_departments(city)}

    created_keys = set()
    to_create = []
    for spec in specs:
        key = (spec.region_code, spec.name)
        if key in existing:
            continue
        created_keys.add(key)
        to_create.append(
            Department(
                name=spec.name,
                short_name=spec.short_name,
                uscc=spec.uscc,
                kind=spec.kind,
                region_id=spec.region_code,
                region_prefix=regions[spec.region_code].prefix,
            )
        )
    Department.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    public_changed()

    # Parents are linked in a second step, once every department has its primary key.
    by_key = {(d.region_id, d.name): d for d in _city_departments(city)}
    to_link = []
    for spec in specs:
        key = (spec.region_code, spec.name)
        if key in created_keys and spec.parent is not None:
            department = by_key[key]
            department.parent_id = by_key[spec.parent].pk
            to_link.append(department)
    Department.objects.bulk_update(to_link, ["parent"], batch_size=_BATCH_SIZE)
    return len(to_create)


# --- Halls and windows --------------------------------------------------------------------------


def halls_load_demo() -> int:
    """Create the demo halls and their windows; return how many halls were created.

    One 政务服务中心 for the city and for each county, one 便民服务中心 for each township.
    Matched by (region, name) and (hall, number); existing rows are left as they are. Needs the
    demo departments, to which the specialist windows are linked.
    """
    halls_created, _windows_created = _halls_and_windows_load()
    return halls_created


@transaction.atomic
def _halls_and_windows_load() -> tuple[int, int]:
    city = _loaded_city()
    places = [city, *_counties(city), *_townships(city)]
    county_names = {
        county.code: county.name for county in places if county.level == Region.Level.COUNTY
    }
    existing_halls = {(h.region_id, h.name) for h in Hall.objects.filter(region__in=places)}

    new_halls = []
    for region in places:
        name = demo.hall_name(_place(region), level=region.level)
        if (region.code, name) in existing_halls:
            continue
        new_halls.append(
            Hall(
                name=name,
                region=region,
                level=region.level,
                region_prefix=region.prefix,
                address=_demo_address(region, city=city, county_names=county_names),
                phone=demo.HALL_PHONE,
                opening_hours=demo.HALL_OPENING_HOURS,
            )
        )
    Hall.objects.bulk_create(new_halls, batch_size=_BATCH_SIZE)

    department_names = {
        (spec.region_code, spec.role): spec.name for spec in _department_specs(city) if spec.role
    }
    department_ids = {(d.region_id, d.name): d.pk for d in _city_departments(city)}
    halls = {(h.region_id, h.name): h for h in Hall.objects.filter(region__in=places)}
    existing_windows = set(
        Window.objects.filter(hall__in=halls.values()).values_list("hall_id", "number")
    )
    new_windows = []
    for region in places:
        hall = halls[(region.code, demo.hall_name(_place(region), level=region.level))]
        for spec in demo.window_specs(region.level, township_name=region.name):
            if (hall.pk, spec.number) in existing_windows:
                continue
            department_id = None
            if spec.role:
                name = department_names[(region.code, spec.role)]
                department_id = department_ids.get((region.code, name))
                if department_id is None:
                    raise YiwangError(f"请先导入演示部门：缺少“{name}”。")
            new_windows.append(
                Window(
                    hall=hall,
                    number=spec.number,
                    name=spec.name,
                    kind=spec.kind,
                    department_id=department_id,
                )
            )
    Window.objects.bulk_create(new_windows, batch_size=_BATCH_SIZE)
    return len(new_halls), len(new_windows)


@transaction.atomic
def hall_save(*, hall: Hall) -> Hall:
    """Save a new or edited hall; its level and `region_prefix` follow from its region."""
    hall.level = hall.region.level
    hall.region_prefix = hall.region.prefix
    hall.save()
    public_changed()
    return hall


# --- All demo data ------------------------------------------------------------------------------


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Load the divisions, demo departments, halls and windows; return how many of each were
    created (all zero on a second run)."""
    regions = regions_load()
    departments = departments_load_demo()
    halls, windows = _halls_and_windows_load()
    return {"regions": regions, "departments": departments, "halls": halls, "windows": windows}


# --- Helpers ------------------------------------------------------------------------------------


def _loaded_city() -> Region:
    try:
        return city_get()
    except Region.DoesNotExist:
        raise YiwangError("请先导入行政区划数据。", code=ErrorCode.NOT_FOUND) from None


def _counties(city: Region) -> list[Region]:
    return list(region_children(region=city).filter(level=Region.Level.COUNTY))


def _townships(city: Region) -> list[Region]:
    return list(regions_within(region=city).filter(level=Region.Level.TOWNSHIP))


def _place(region: Region) -> demo.Place:
    return demo.Place(code=region.code, name=region.name, parent_code=region.parent_id or "")


def _department_specs(city: Region) -> list[demo.DepartmentSpec]:
    return demo.department_specs(
        city=_place(city),
        counties=[_place(county) for county in _counties(city)],
        townships=[_place(township) for township in _townships(city)],
    )


def _city_departments(city: Region) -> list[Department]:
    return list(departments_within(region=city))


def _demo_address(region: Region, *, city: Region, county_names: dict[str, str]) -> str:
    """An illustrative address: the place's full name (no street)."""
    if region.level == Region.Level.CITY:
        return region.name
    if region.level == Region.Level.COUNTY:
        return city.name + region.name
    county_name = county_names[region.parent_id or ""]
    return city.name + county_name + township_display_name(region.name)
