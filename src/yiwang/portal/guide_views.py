"""The public service guide (办事指南): themes, search and browsing, one guide page per matter."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import TextChoices
from django.http import Http404, HttpRequest, HttpResponse
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
from yiwang.core.pagecache import SEARCH_SECONDS, public_page
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


MATTER_PARAMS = ("q", "audience", "theme", "region", "within", "department", "type", "page")


@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "")[:50] for name in MATTER_PARAMS}
    key = hashlib.sha256(urlencode(params).encode()).hexdigest()[:32]
    return public_page(
        request,
        name=f"matters:{key}",
        template="portal/_matters.html",
        context=lambda: _matters_context(params),
        title=_matters_title,
        seconds=SEARCH_SECONDS,
    )


def _matters_context(params: dict[str, str]) -> dict[str, Any]:
    region = None
    if params["region"]:
        region = Region.objects.filter(code=params["region"]).first()
    department = None
    if params["department"].isdigit():
        department = Department.objects.filter(pk=int(params["department"])).first()
    filters = MatterFilter(
        q=params["q"],
        audience=params["audience"] if params["audience"] in AUDIENCES else "",
        theme=params["theme"][:20],
        region=region,
        within=params["within"] == "1",
        department_id=department.pk if department else None,
        matter_type=params["type"] if params["type"] in MatterType.values else "",
    )
    page = Paginator(items_search(filters=filters), PAGE_SIZE).get_page(params["page"])
    return {
        "filters": filters,
        "page": page,
        "department": department,
        "query": urlencode({k: v for k, v in params.items() if v and k != "page"}),
        "matter_types": MatterType.choices,
    }


def _matters_title(context: dict[str, Any]) -> str:
    filters: MatterFilter = context["filters"]
    return "办事指南" + (f" · {filters.theme}" if filters.theme else "")


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
