"""Review pages on the staff workbench (mounted at /workbench/reviews/)."""

from django.urls import path
from django.views.generic import RedirectView

from yiwang.reviews.staff_views import indicators, tickets

app_name = "reviews_staff"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reviews_staff:tickets"), name="home"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/<int:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/act/<str:action>/", tickets.ticket_act, name="act"),
    path("supervision/", tickets.supervision, name="supervision"),
    path("indicators/", indicators.indicators, name="indicators"),
]
