"""Case pages on the portal (mounted at /cases/)."""

from django.urls import path

from yiwang.cases import views

app_name = "cases"

urlpatterns = [
    path("apply/<str:code>/", views.apply, name="apply"),
    path("<int:case_id>/draft/form/", views.draft_form, name="draft_form"),
    path("<int:case_id>/draft/materials/", views.draft_materials, name="draft_materials"),
    path("<int:case_id>/draft/delivery/", views.draft_delivery, name="draft_delivery"),
    path("<int:case_id>/draft/review/", views.draft_review, name="draft_review"),
    path("<int:case_id>/submit/", views.submit, name="submit"),
    path("<int:case_id>/done/", views.done, name="done"),
    path("mine/", views.mine, name="mine"),
    path("progress/", views.progress, name="progress"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/correct/", views.correct, name="correct"),
    path("<int:case_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:case_id>/notices/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
]
