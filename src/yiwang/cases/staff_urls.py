"""Case pages on the staff workbench (mounted at /workbench/cases/)."""

from django.urls import path

from yiwang.cases import staff_views

app_name = "cases_staff"

urlpatterns = [
    path("", staff_views.todo, name="todo"),
    path("intake/", staff_views.intake, name="intake"),
    path("<int:case_id>/", staff_views.case_detail, name="case"),
    path("<int:case_id>/reveal/", staff_views.case_reveal, name="reveal"),
    path("<int:case_id>/act/<str:action>/", staff_views.case_act, name="act"),
    path(
        "<int:case_id>/materials/<int:material_id>",
        staff_views.material_file,
        name="material",
    ),
    path("<int:case_id>/notices/<int:notice_id>.pdf", staff_views.notice_pdf, name="notice_pdf"),
]
