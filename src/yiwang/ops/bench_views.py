"""Reference points for the load test (docs/performance.md): the cheapest answers Django can give
through the same server, middleware and database, so that our pages can be stated as ratios of
them in one run. Mounted under /bench/ only when YIWANG_BENCH_VIEWS=1 (see `yiwang/urls.py`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLResolver, include, path
from django.views.decorators.http import require_GET

from yiwang.catalog.models import ImplementationItem


@require_GET
def constant(request: HttpRequest) -> HttpResponse:
    """A constant: what the server and the middleware cost on their own."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
def one_row(request: HttpRequest, pk: int) -> JsonResponse:
    """One row read by primary key and returned as JSON: a database round trip on top."""
    row = (
        ImplementationItem.objects.filter(pk=pk)
        .values("pk", "code", "name", "status", "region_id")
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row, json_dumps_params={"ensure_ascii": False})


app_name = "bench"
urlpatterns = [
    path("constant", constant, name="constant"),
    path("row/<int:pk>", one_row, name="one_row"),
]


def mounted(*, at: str, enabled: bool) -> list[URLResolver]:
    """The views under `at` when enabled (YIWANG_BENCH_VIEWS=1), else nothing: they are for load
    tests, not for production."""
    return [path(at, include("yiwang.ops.bench_views"))] if enabled else []
