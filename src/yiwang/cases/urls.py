"""Case pages on the portal (mounted at /cases/)."""

from django.urls import path

from yiwang.cases import apply_views, views

app_name = "cases"

urlpatterns = [
    path("apply/<str:code>/", apply_views.apply, name="apply"),
    path("<int:case_id>/draft/form/", apply_views.draft_form, name="draft_form"),
    path("<int:case_id>/draft/materials/", apply_views.draft_materials, name="draft_materials"),
    path("<int:case_id>/draft/delivery/", apply_views.draft_delivery, name="draft_delivery"),
    path("<int:case_id>/draft/review/", apply_views.draft_review, name="draft_review"),
    path("<int:case_id>/submit/", apply_views.submit, name="submit"),
    path("<int:case_id>/done/", apply_views.done, name="done"),
    path("mine/", views.mine, name="mine"),
    path("progress/", views.progress, name="progress"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/correct/", apply_views.correct, name="correct"),
    path("<int:case_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:case_id>/notices/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
]
