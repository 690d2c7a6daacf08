"""REST endpoints of regions: public reference data (divisions, departments, halls, windows)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from yiwang.regions.models import Department, Hall, Region, Window
from yiwang.regions.selectors import (
    departments_at,
    departments_within,
    halls_within,
    region_children,
    region_get,
)

router = Router()


class RegionOut(Schema):
    code: str = Field(description="12位统计用区划代码")
    name: str
    level: str = Field(description="province / city / county / township / village")
    parent_code: str | None = Field(None, alias="parent_id")


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str = Field(description="统一社会信用代码（演示数据为生成的代码）")
    kind: str
    region_code: str = Field(alias="region_id")
    parent_id: int | None


class WindowOut(Schema):
    number: str
    name: str
    kind: str
    department_id: int | None


class HallOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    level: str
    address: str
    phone: str
    opening_hours: str
    windows: list[WindowOut]


def _region(code: str) -> Region:
    try:
        return region_get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


@router.get("/{code}", response=RegionOut, summary="区划详情")
def region_detail(request: HttpRequest, code: str) -> Region:
    return _region(code)


@router.get("/{code}/children", response=list[RegionOut], summary="下级区划")
def region_children_list(request: HttpRequest, code: str) -> list[Region]:
    return list(region_children(region=_region(code)))


@router.get("/{code}/departments", response=list[DepartmentOut], summary="部门列表")
def department_list(request: HttpRequest, code: str, within: bool = False) -> list[Department]:
    """本级部门；`within=true` 时包括所有下级区划的部门。"""
    region = _region(code)
    if within:
        return list(departments_within(region=region).filter(is_active=True))
    return list(departments_at(region=region).filter(is_active=True))


@router.get("/{code}/halls", response=list[HallOut], summary="办事大厅及窗口")
def hall_list(request: HttpRequest, code: str) -> list[Hall]:
    """该区划及其下级区划的政务服务中心、便民服务中心，含在用窗口。"""
    windows = Prefetch("windows", queryset=Window.objects.filter(is_active=True))
    return list(halls_within(region=_region(code)).prefetch_related(windows))
