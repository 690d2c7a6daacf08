"""The Django admin behind the workbench login: password and second factor, then only the
permissions of the administrator's own role."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from yiwang.accounts.session_keys import SECOND_FACTOR


class YiwangAdminSite(admin.AdminSite):
    site_header = "庆阳市一网通办 管理后台"
    site_title = "管理后台"
    index_title = "管理"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(super().has_permission(request) and request.session.get(SECOND_FACTOR))

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """Everyone signs in on the workbench, with the second factor."""
        target = request.GET.get("next", "/admin/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/admin/"
        return redirect(f"/workbench/login/?next={target}")


class YiwangAdminConfig(AdminConfig):
    default_site = "yiwang.workbench.admin_site.YiwangAdminSite"
