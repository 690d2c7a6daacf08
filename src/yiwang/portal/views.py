"""Public portal pages. Views parse input, call one selector, and render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.catalog.selectors import hot_items
from yiwang.core.pagecache import public_page
from yiwang.core.workdays import add_working_days
from yiwang.portal.forms import DeadlineForm
from yiwang.regions.models import Region
from yiwang.regions.selectors import (
    city_get,
    departments_at,
    halls_within,
    region_children,
    region_get,
    region_overview,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    try:
        return public_page(request, name="home", template="portal/_home.html", context=_home)
    except Region.DoesNotExist:
        return render(request, "portal/empty.html", status=503)


def _home() -> dict[str, Any]:
    return {**region_overview(city=city_get()), "hot": hot_items(limit=12)}


@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        region = region_get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    ancestors: list[Region] = []
    parent = region.parent
    while parent is not None and parent.level != Region.Level.PROVINCE:
        ancestors.insert(0, parent)
        parent = parent.parent
    context = {
        "region": region,
        "ancestors": ancestors,
        "children": list(region_children(region=region)),
        "departments": list(departments_at(region=region)),
        "halls": list(halls_within(region=region).filter(region=region)),
    }
    return render(request, "portal/region.html", context)


@require_GET
def workdays(request: HttpRequest) -> HttpResponse:
    form = DeadlineForm(request.GET or None)
    result = None
    status = 200
    if request.GET:
        if form.is_valid():
            result = add_working_days(form.cleaned_data["start"], form.cleaned_data["days"])
        else:
            status = 400
    return render(request, "portal/workdays.html", {"form": form, "result": result}, status=status)
