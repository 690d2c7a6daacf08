from django.contrib import admin
from django.urls import include, path

from yiwang.api.api import api
from yiwang.core import views as core_views
from yiwang.env import env_bool
from yiwang.ops import bench_views
from yiwang.reviews import views as review_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("workbench/cases/", include("yiwang.cases.staff_urls")),
    path("workbench/performance/", include("yiwang.reviews.performance_urls")),
    path("workbench/reviews/", include("yiwang.reviews.staff_urls")),
    path("workbench/", include("yiwang.workbench.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("bookings/", include("yiwang.bookings.urls")),
    path("o/", include("yiwang.accounts.oidc.urls")),
    path("reviews/", include("yiwang.reviews.urls")),
    path("r/<str:code>", review_views.invitation_rating, name="review_link"),
    path("publicity/reviews/", include("yiwang.reviews.public_urls")),
    *bench_views.mounted(at="bench/", enabled=env_bool("YIWANG_BENCH_VIEWS", False)),
    path("", include("yiwang.portal.urls")),
]

handler400 = "yiwang.core.views.bad_request"
handler403 = "yiwang.core.views.permission_denied"
handler404 = "yiwang.core.views.page_not_found"
handler500 = "yiwang.core.views.server_error"
