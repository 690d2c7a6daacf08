"""Rating pages of 好差评 (mounted at /reviews/; the SMS short link /r/<code> is at the root)."""

from django.urls import path

from yiwang.reviews import views

app_name = "reviews"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_rating, name="case"),
    path("tablet/<int:window_id>/<str:token>/", views.tablet, name="tablet"),
    path("tablets/", views.tablets, name="tablets"),
]
