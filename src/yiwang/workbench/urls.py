from django.urls import path

from yiwang.workbench import catalog_views, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/second/", views.second_factor, name="second_factor"),
    path("login/second/code/", views.second_factor_code, name="second_factor_code"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_setup, name="totp"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:staff_id>/roles/", views.staff_roles, name="staff_roles"),
    path("api-clients/", views.api_clients, name="api_clients"),
    path("audit/", views.audit_log, name="audit"),
    path("catalog/", catalog_views.catalog_list, name="catalog"),
    path("catalog/<str:code>/", catalog_views.catalog_item, name="catalog_item"),
    path("catalog/<str:code>/draft/", catalog_views.catalog_draft, name="catalog_draft"),
    path("catalog/<str:code>/publish/", catalog_views.catalog_publish, name="catalog_publish"),
    path("catalog/<str:code>/status/", catalog_views.catalog_status, name="catalog_status"),
]
