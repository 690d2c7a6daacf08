from django.contrib import admin
from django.urls import include, path

from yiwang.api.api import api
from yiwang.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("workbench/cases/", include("yiwang.cases.staff_urls")),
    path("workbench/", include("yiwang.workbench.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("bookings/", include("yiwang.bookings.urls")),
    path("o/", include("yiwang.accounts.oidc.urls")),
    path("", include("yiwang.portal.urls")),
]

handler400 = "yiwang.core.views.bad_request"
handler403 = "yiwang.core.views.permission_denied"
handler404 = "yiwang.core.views.page_not_found"
handler500 = "yiwang.core.views.server_error"
