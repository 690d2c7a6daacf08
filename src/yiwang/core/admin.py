"""Admin for the calendar (edited through services, so every change is audited) and the
read-only audit chain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from yiwang.core.audit import actor_label
from yiwang.core.errors import YiwangError
from yiwang.core.models import AuditRecord, CalendarOverride, CalendarYear
from yiwang.core.services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_load,
    parse_year_schedule,
)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name"]

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        calendar_override_set(
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            actor=actor_label(request.user),
            source_ip=request.META.get("REMOTE_ADDR"),
        )
        obj.pk = CalendarOverride.objects.get(date=obj.date).pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(
            override=obj, actor=actor_label(request.user), source_ip=request.META.get("REMOTE_ADDR")
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class YearScheduleForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    source = forms.CharField(
        label="依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    file = forms.FileField(
        label="安排文件",
        help_text="UTF-8 文本，每行“日期,休或班,名称”，日期范围写作 2027-02-06~2027-02-13。",
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ["year", "source", "loaded_at"]
    readonly_fields = ["year", "source", "loaded_at"]
    change_list_template = "admin/core/calendaryear/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        load = path(
            "load/", self.admin_site.admin_view(self.load_view), name="core_calendaryear_load"
        )
        return [load, *super().get_urls()]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = YearScheduleForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
                days = parse_year_schedule(text, year=form.cleaned_data["year"])
                calendar_year_load(
                    year=form.cleaned_data["year"],
                    days=days,
                    source=form.cleaned_data["source"],
                    actor=actor_label(request.user),
                    source_ip=request.META.get("REMOTE_ADDR"),
                )
            except UnicodeDecodeError:
                form.add_error("file", "文件不是 UTF-8 编码的文本")
            except YiwangError as exc:
                form.add_error("file", exc.message)
            else:
                year = form.cleaned_data["year"]
                self.message_user(request, f"{year} 年节假日安排已导入，共 {len(days)} 天。")
                return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入年度节假日安排",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/core/calendaryear/load.html", context)


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin[AuditRecord]):
    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id", "source_ip"]
    list_filter = ["action"]
    search_fields = ["actor", "action", "object_id"]
    readonly_fields = [f.name for f in AuditRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
