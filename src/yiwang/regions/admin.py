"""Admin pages for the reference data: regions, departments, halls and windows.

Saving goes through the services, which fill in the derived columns (level, prefixes); the forms
only turn bad codes into field errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from yiwang.core.identifiers import IdentifierError, check_uscc, region_level
from yiwang.regions import services
from yiwang.regions.models import Department, Hall, Region, Window


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "parent"]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        try:
            region_level(code)
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message) from exc
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code, parent = cleaned.get("code"), cleaned.get("parent")
        if code and parent is not None and not code.startswith(parent.prefix):
            self.add_error("parent", f"区划代码 {code} 不在上级区划 {parent.name} 之内。")
        return cleaned


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the primary key and the basis of every scope: fixed once created.
        if obj is not None:
            return ["code", "level", "prefix"]
        return ["level", "prefix"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        services.region_save(region=obj)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "uscc", "kind", "region", "parent", "is_active"]

    def clean_uscc(self) -> str:
        try:
            return check_uscc(self.cleaned_data["uscc"])
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "kind", "region", "uscc", "is_active"]
    list_filter = ["kind", "is_active", "region__level"]
    search_fields = ["name", "short_name", "uscc", "region__code", "region__name"]
    list_select_related = ["region"]
    raw_id_fields = ["region", "parent"]
    readonly_fields = ["region_prefix"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        services.department_save(department=obj)


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    raw_id_fields = ["department"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "region", "phone"]
    list_filter = ["level"]
    search_fields = ["name", "region__code", "region__name", "address"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fields = ["name", "region", "level", "region_prefix", "address", "phone", "opening_hours"]
    readonly_fields = ["level", "region_prefix"]
    inlines = [WindowInline]

    def save_model(self, request: HttpRequest, obj: Hall, form: Any, change: bool) -> None:
        services.hall_save(hall=obj)


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "hall", "department", "is_active"]
    list_filter = ["kind", "is_active", "hall__level"]
    search_fields = ["number", "name", "hall__name", "department__name", "department__uscc"]
    list_select_related = ["hall", "department"]
    raw_id_fields = ["hall", "department"]
