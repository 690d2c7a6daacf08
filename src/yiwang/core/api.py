"""REST endpoints of core: working-day deadlines."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.core.workdays import add_working_days

router = Router()


class DeadlineIn(Schema):
    start: dt.date = Field(description="受理日期；自次日起算")
    days: int = Field(ge=0, le=3650, description="时限（工作日）")


class DeadlineOut(Schema):
    start: dt.date
    days: int
    deadline: dt.date
    provisional: bool = Field(description="是否暂定：涉及尚未导入节假日安排的年度")
    unknown_years: list[int]


@router.get("/deadline", response=DeadlineOut, summary="按工作日计算办结期限")
def deadline(request: HttpRequest, params: Query[DeadlineIn]) -> DeadlineOut:
    result = add_working_days(params.start, params.days)
    return DeadlineOut(
        start=params.start,
        days=params.days,
        deadline=result.value,
        provisional=result.provisional,
        unknown_years=sorted(result.unknown_years),
    )
