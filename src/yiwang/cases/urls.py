"""Case pages on the portal (mounted at /cases/)."""

from django.urls import path

from yiwang.cases.views import applying, case_pages

app_name = "cases"

urlpatterns = [
    path("apply/<str:code>/", applying.apply, name="apply"),
    path("<int:case_id>/draft/form/", applying.draft_form, name="draft_form"),
    path("<int:case_id>/draft/materials/", applying.draft_materials, name="draft_materials"),
    path("<int:case_id>/draft/delivery/", applying.draft_delivery, name="draft_delivery"),
    path("<int:case_id>/draft/review/", applying.draft_review, name="draft_review"),
    path("<int:case_id>/submit/", applying.submit, name="submit"),
    path("<int:case_id>/done/", applying.done, name="done"),
    path("mine/", case_pages.mine, name="mine"),
    path("progress/", case_pages.progress, name="progress"),
    path("<int:case_id>/", case_pages.detail, name="detail"),
    path("<int:case_id>/correct/", applying.correct, name="correct"),
    path("<int:case_id>/withdraw/", case_pages.withdraw, name="withdraw"),
    path("<int:case_id>/notices/<int:notice_id>.pdf", case_pages.notice_pdf, name="notice_pdf"),
]
