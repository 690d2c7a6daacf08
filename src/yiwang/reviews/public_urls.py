"""The public review page (mounted at /publicity/reviews/)."""

from django.urls import path

from yiwang.reviews import public_views

app_name = "reviews_public"

urlpatterns = [
    path("", public_views.monthly, name="monthly"),
]
