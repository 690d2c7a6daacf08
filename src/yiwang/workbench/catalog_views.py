"""Catalog managers' pages: their matters, a matter's versions, editing its draft, publishing,
suspending. Every change goes through `catalog.services` (which checks scope again)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts.models import Role, Staff
from yiwang.catalog import services
from yiwang.catalog.forms import (
    DraftForm,
    MaterialFormSet,
    StatusForm,
    StepFormSet,
    formset_rows,
)
from yiwang.catalog.models import ImplementationItem, VersionState
from yiwang.catalog.selectors import item_for_manager, items_for_manager
from yiwang.core.errors import YiwangError
from yiwang.workbench.auth import staff_required


def _item(staff: Staff, code: str) -> ImplementationItem:
    try:
        return item_for_manager(staff=staff, code=code)
    except ImplementationItem.DoesNotExist:
        raise Http404 from None


@staff_required(Role.CATALOG_MANAGER)
def catalog_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    items = items_for_manager(staff=staff).order_by("name", "code")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        items = items.filter(name__contains=q)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "workbench/catalog_list.html", {"staff": staff, "page": page, "q": q})


@staff_required(Role.CATALOG_MANAGER)
def catalog_item(request: HttpRequest, staff: Staff, code: str) -> HttpResponse:
    item = _item(staff, code)
    context = {
        "staff": staff,
        "item": item,
        "versions": item.versions.order_by("-number"),
        "draft": item.versions.filter(state=VersionState.DRAFT).first(),
        "status_form": StatusForm(),
        "error": request.GET.get("error", ""),
    }
    return render(request, "workbench/catalog_item.html", context)


@staff_required(Role.CATALOG_MANAGER)
@require_http_methods(["GET", "POST"])
def catalog_draft(request: HttpRequest, staff: Staff, code: str) -> HttpResponse:
    item = _item(staff, code)
    draft = services.item_draft(item=item, actor=staff)
    data = request.POST if request.method == "POST" else None
    form = DraftForm(data, instance=draft)
    # Initial rows only when showing the form: posted rows are taken as they come.
    materials = MaterialFormSet(
        data, prefix="m", initial=None if data else list(draft.materials.values(*MATERIAL_FIELDS))
    )
    steps = StepFormSet(
        data,
        prefix="s",
        initial=None if data else list(draft.steps.values("name", "role", "limit")),
    )
    error = ""
    if request.method == "POST":
        if form.is_valid() and materials.is_valid() and steps.is_valid():
            try:
                services.draft_update(
                    draft=draft,
                    changes=form.changes(),
                    materials=formset_rows(materials),
                    steps=formset_rows(steps),
                    actor=staff,
                )
                return redirect("workbench:catalog_item", code=item.code)
            except YiwangError as exc:
                error = exc.message
        else:
            error = "请按提示修改后再保存"
    context = {
        "staff": staff,
        "item": item,
        "draft": draft,
        "form": form,
        "materials": materials,
        "steps": steps,
        "error": error,
    }
    return render(request, "workbench/catalog_draft.html", context, status=400 if error else 200)


MATERIAL_FIELDS = ("name", "issuer", "originals", "copies", "required", "license_type_code")


@staff_required(Role.CATALOG_MANAGER)
@require_POST
def catalog_publish(request: HttpRequest, staff: Staff, code: str) -> HttpResponse:
    item = _item(staff, code)
    try:
        services.item_publish(item=item, actor=staff)
    except YiwangError as exc:
        return _item_with_error(request, staff, item, exc)
    return redirect("workbench:catalog_item", code=item.code)


@staff_required(Role.CATALOG_MANAGER)
@require_POST
def catalog_status(request: HttpRequest, staff: Staff, code: str) -> HttpResponse:
    item = _item(staff, code)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _item_with_error(request, staff, item, YiwangError("请选择要执行的操作"))
    try:
        services.item_set_status(
            item=item,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            actor=staff,
        )
    except YiwangError as exc:
        return _item_with_error(request, staff, item, exc)
    return redirect("workbench:catalog_item", code=item.code)


def _item_with_error(
    request: HttpRequest, staff: Staff, item: ImplementationItem, error: YiwangError
) -> HttpResponse:
    context = {
        "staff": staff,
        "item": item,
        "versions": item.versions.order_by("-number"),
        "draft": item.versions.filter(state=VersionState.DRAFT).first(),
        "status_form": StatusForm(),
        "error": error.message,
        "problems": [m for ms in error.fields.values() for m in ms],
    }
    return render(request, "workbench/catalog_item.html", context, status=error.status)
