"""Staff performance pages on the workbench (mounted at /workbench/performance/)."""

from django.urls import path

from yiwang.reviews import performance_views as views

app_name = "performance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export, name="export"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/sign-in/", views.sign_in, name="sign_in"),
    path("attendance/sign-out/", views.sign_out, name="sign_out"),
    path("officers/<int:staff_id>/", views.officer_detail, name="officer"),
    path("officers/<int:staff_id>/leave/", views.leave, name="leave"),
    path("officers/<int:staff_id>/scores/", views.scores, name="scores"),
]
