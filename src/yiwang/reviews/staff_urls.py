"""Review pages on the staff workbench (mounted at /workbench/reviews/)."""

from django.urls import path
from django.views.generic import RedirectView

from yiwang.reviews import indicator_views, staff_views

app_name = "reviews_staff"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reviews_staff:tickets"), name="home"),
    path("tickets/", staff_views.ticket_list, name="tickets"),
    path("tickets/<int:ticket_id>/", staff_views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/act/<str:action>/", staff_views.ticket_act, name="act"),
    path("supervision/", staff_views.supervision, name="supervision"),
    path("indicators/", indicator_views.indicators, name="indicators"),
]
