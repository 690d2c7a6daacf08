"""The public service guide (办事指南): themes, search and browsing, one guide page per matter."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import TextChoices
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.catalog.codes import HandlingForm, MatterType, ServiceObject
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.catalog.rules import ITEM_CODE_RE, limit_reduction, limit_text
from yiwang.catalog.selectors import (
    AUDIENCES,
    MatterFilter,
    item_guide,
    items_search,
    theme_counts,
)
from yiwang.core.pagecache import public_page
from yiwang.regions.models import Department, Region

PAGE_SIZE = 20


def _labels(choices: type[TextChoices], codes: list[str]) -> list[str]:
    return [choices(code).label for code in codes if code in choices.values]


@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    return public_page(
        request,
        name="themes",
        template="portal/_themes.html",
        title="主题服务",
        context=lambda: {
            "person_themes": theme_counts(audience="person"),
            "enterprise_themes": theme_counts(audience="enterprise"),
        },
    )


@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    params = request.GET
    region = None
    if params.get("region"):
        region = Region.objects.filter(code=params["region"]).first()
    department = None
    if params.get("department", "").isdigit():
        department = Department.objects.filter(pk=int(params["department"])).first()
    audience = params.get("audience", "")
    filters = MatterFilter(
        q=params.get("q", "")[:50],
        audience=audience if audience in AUDIENCES else "",
        theme=params.get("theme", "")[:20],
        region=region,
        within=params.get("within") == "1",
        department_id=department.pk if department else None,
        matter_type=params.get("type", "") if params.get("type") in MatterType.values else "",
    )
    page = Paginator(items_search(filters=filters), PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "department": department,
        "query": query.urlencode(),
        "matter_types": MatterType.choices,
    }
    return render(request, "portal/matters.html", context)


@require_GET
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The guide page: its body is rendered once per generation of the public content and
    served from the cache (`core.pagecache`); only the frame around it is rendered per request."""
    code = code.strip().upper()
    if not ITEM_CODE_RE.match(code):
        raise Http404
    try:
        return public_page(
            request,
            name=f"guide:{code}",
            template="portal/_guide.html",
            context=lambda: _guide_context(code),
            title=lambda values: f"{values['item'].name} · 办事指南",
        )
    except ImplementationItem.DoesNotExist:
        raise Http404 from None


def _guide_context(code: str) -> dict[str, Any]:
    item = item_guide(code=code)
    version = item.current_version
    if version is None:  # item_guide returns only items with a current version
        raise ImplementationItem.DoesNotExist
    return {
        "item": item,
        "v": version,
        "legal": limit_text(version.legal_limit, version.legal_limit_unit),
        "promised": limit_text(version.promised_limit, version.promised_limit_unit),
        "reduction": limit_reduction(
            legal=version.legal_limit,
            promised=version.promised_limit,
            legal_unit=version.legal_limit_unit,
            promised_unit=version.promised_limit_unit,
        ),
        "suspended": item.status == ItemStatus.SUSPENDED,
        "map_query": f"{item.region.name}{version.place}",
        "service_objects": "、".join(_labels(ServiceObject, version.service_objects)),
        "handling_forms": "、".join(_labels(HandlingForm, version.handling_forms)),
    }
