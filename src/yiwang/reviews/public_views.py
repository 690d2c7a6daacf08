"""好差评公示: the month's results per department of the city (or of one county) and the
rectifications closed in the month. No login. Nothing about a rater, and no staff names: the
department, the matter, the date, the way it was handled and the outcome with any ID or phone
number masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yiwang.core.masking import mask_text
from yiwang.regions.models import Region
from yiwang.reviews import selectors
from yiwang.reviews.models import Resolution
from yiwang.reviews.staff_views.indicators import Shown, parse_month

CACHE_SECONDS = 300
ON_SITE_MATTER = "窗口服务（一次一评）"


def _published(month: dt.date, region_prefix: str) -> dict[str, Any]:
    """The figures and rectifications of a month, as plain values (they go to the cache)."""
    rows = selectors.indicator_table(
        group="department", month_from=month, month_to=month, region_prefix=region_prefix
    )
    total = selectors.indicator_total(month_from=month, month_to=month, region_prefix=region_prefix)
    rectifications = [
        {
            "department": ticket.department.name,
            "matter": ticket.review.item.name if ticket.review.item else ON_SITE_MATTER,
            "closed_on": timezone.localtime(ticket.closed_at).date() if ticket.closed_at else None,
            "resolution": Resolution(ticket.resolution).label if ticket.resolution else "—",
            "outcome": mask_text(ticket.outcome),
        }
        for ticket in selectors.public_rectifications(month=month, region_prefix=region_prefix)
    ]
    return {
        "rows": [Shown.of(n, row.name, row.indicators) for n, row in enumerate(rows, 1)],
        "total": Shown.of(0, "合计", total),
        "rectifications": rectifications,
    }


def _step(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    this_month = timezone.localdate().replace(day=1)
    month = parse_month(request.GET.get("month"), default=this_month, field="month")
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .order_by("code")
        .values("code", "name", "prefix")
    )
    code = request.GET.get("region", "").strip()
    county = next((c for c in counties if c["code"] == code), None)
    if code and county is None:
        raise Http404("未找到该区划")
    prefix = county["prefix"] if county else ""
    key = f"reviews:public:{month:%Y-%m}:{prefix or 'all'}"
    published = cache.get(key)
    if published is None:
        published = _published(month, prefix)
        cache.set(key, published, CACHE_SECONDS)
    context = {
        **published,
        "month": f"{month:%Y-%m}",
        "month_label": f"{month.year} 年 {month.month} 月",
        "previous": f"{_step(month, -1):%Y-%m}",
        "next": f"{_step(month, 1):%Y-%m}" if month < this_month else "",
        "counties": counties,
        "region": county["code"] if county else "",
        "area": county["name"] if county else "全市",
    }
    return render(request, "reviews/public/monthly.html", context)
