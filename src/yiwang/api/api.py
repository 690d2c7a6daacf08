"""The REST API root at /api/, its OpenAPI document at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI

from yiwang.accounts.api import router as accounts_router
from yiwang.api.errors import install_error_handlers
from yiwang.bookings.api import router as bookings_router
from yiwang.cases.api import router as cases_router
from yiwang.catalog.api import router as catalog_router
from yiwang.core.api import router as core_router
from yiwang.regions.api import router as regions_router
from yiwang.reviews.api import router as reviews_router

api = NinjaAPI(
    title="庆阳市一网通办 开放接口",
    version="1",
    description=(
        "供移动端、微信、支付宝小程序及部门业务系统调用的接口。"
        "所有拒绝均返回统一结构 `{code, message, fields}`，message 为中文。"
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/auth/", accounts_router, tags=["身份认证"])
api.add_router("/regions/", regions_router, tags=["区划与部门"])
api.add_router("/matters/", catalog_router, tags=["办事指南"])
api.add_router("/workdays/", core_router, tags=["工作日历"])
api.add_router("/cases/", cases_router, tags=["办件"])
api.add_router("/bookings/", bookings_router, tags=["预约与排队"])
api.add_router("/reviews/", reviews_router, tags=["好差评"])


@api.get("/", summary="接口根", tags=["接口"])
def root(request: HttpRequest) -> dict[str, str]:
    """Where the API's document and docs page are."""
    return {
        "name": api.title,
        "version": api.version,
        "openapi": request.build_absolute_uri("/api/openapi.json"),
        "docs": request.build_absolute_uri("/api/docs"),
    }
