"""REST endpoints of the service guide: list with filters and paging, search, detail.
Detail answers carry an ETag (the current version) and are cached with the public content; list
and search answers are cached briefly per set of parameters, as the portal's search pages."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.rules import ITEM_CODE_RE
from yiwang.catalog.selectors import AUDIENCES, MatterFilter, item_guide, items_search
from yiwang.core.pagecache import SEARCH_SECONDS, public_cached
from yiwang.regions.models import Region

router = Router()


class MatterListIn(Schema):
    q: str = Field("", max_length=50, description="关键词：中文、拼音首字母或全拼")
    audience: str = Field("", description="person / enterprise")
    theme: str = Field("", max_length=20, description="主题，如 出境入境")
    region: str = Field("", max_length=12, description="12位区划代码")
    within: bool = Field(False, description="包括下级区划")
    department: int | None = None
    type: str = Field("", max_length=2, description="事项类型代码")
    offset: int = Field(0, ge=0, le=100000)
    limit: int = Field(20, ge=1, le=100)


class MatterBrief(Schema):
    code: str
    name: str
    matter_type: str
    department: str
    region_code: str
    status: str


class MatterPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[MatterBrief]


def _brief(item: ImplementationItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "matter_type": item.matter_type,
        "department": item.department.name,
        "region_code": item.region_id,
        "status": item.status,
    }


@router.get("/", response=MatterPage, summary="事项列表与检索")
def matter_list(request: HttpRequest, params: Query[MatterListIn]) -> dict[str, Any]:
    key = hashlib.sha256(params.model_dump_json().encode()).hexdigest()[:32]
    page: dict[str, Any] = public_cached(
        f"matters_api:{key}", lambda: _matter_page(params), seconds=SEARCH_SECONDS
    )
    return page


def _matter_page(params: MatterListIn) -> dict[str, Any]:
    region = Region.objects.filter(code=params.region).first() if params.region else None
    if params.region and region is None:
        raise Http404
    filters = MatterFilter(
        q=params.q,
        audience=params.audience if params.audience in AUDIENCES else "",
        theme=params.theme,
        region=region,
        within=params.within,
        department_id=params.department,
        matter_type=params.type,
    )
    items = items_search(filters=filters)
    window = list(items[params.offset : params.offset + params.limit])
    return {
        "count": items.count(),
        "offset": params.offset,
        "limit": params.limit,
        "items": [_brief(item) for item in window],
    }


@router.get("/{code}", summary="办事指南详情（带 ETag）")
def matter_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The answer is built once per generation of the public content and served from the cache
    as bytes (`core.pagecache`); its ETag names the item's current version and status."""
    code = code.strip().upper()
    if not ITEM_CODE_RE.match(code):
        raise Http404
    try:
        etag, body = public_cached(f"matter:{code}", lambda: _detail_answer(code))
    except ImplementationItem.DoesNotExist:
        raise Http404 from None
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    return response


def _detail_answer(code: str) -> tuple[str, bytes]:
    item = item_guide(code=code)
    tag = hashlib.sha256(f"{item.code}:{item.current_version_id}:{item.status}".encode())
    body = json.dumps(_detail(item), ensure_ascii=False, cls=DjangoJSONEncoder)
    return f'"{tag.hexdigest()[:32]}"', body.encode()


def _detail(item: ImplementationItem) -> dict[str, Any]:
    v = item.current_version
    if v is None:  # item_guide returns only items with a current version
        raise Http404
    return {
        **_brief(item),
        "basic_code": item.basic_item.code,
        "legal_basis": item.basic_item.legal_basis,
        "level": item.level,
        "version": v.number,
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "case_kind": v.case_kind,
        "legal_limit": {"value": v.legal_limit, "unit": v.legal_limit_unit,
                        "note": v.legal_limit_note},
        "promised_limit": {"value": v.promised_limit, "unit": v.promised_limit_unit,
                           "note": v.promised_limit_note},
        "acceptance_conditions": v.acceptance_conditions,
        "charged": v.charged,
        "fee_basis": v.fee_basis,
        "fees": v.fees,
        "service_objects": v.service_objects,
        "person_themes": v.person_themes,
        "enterprise_themes": v.enterprise_themes,
        "handling_forms": v.handling_forms,
        "online_depth": v.online_depth,
        "visits": v.visits,
        "visits_reason": v.visits_reason,
        "bookable": v.bookable,
        "payable_online": v.payable_online,
        "deliverable": v.deliverable,
        "kiosk": v.kiosk,
        "place": v.place,
        "hours": v.hours,
        "consult_phone": v.consult_phone,
        "complaint_phone": v.complaint_phone,
        "result_name": v.result_name,
        "faq": v.faq,
        "materials": [
            {"code": f"{item.code}{m.seq:03d}", "name": m.name, "issuer": m.issuer,
             "originals": m.originals, "copies": m.copies, "required": m.required,
             "license_type_code": m.license_type_code}
            for m in v.materials.all()
        ],
        "steps": [{"order": s.order, "name": s.name, "limit": s.limit} for s in v.steps.all()],
    }  # fmt: skip
