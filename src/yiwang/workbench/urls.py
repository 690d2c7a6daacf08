from django.urls import path

from yiwang.workbench import views

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
    path("audit/", views.audit_log, name="audit"),
]
