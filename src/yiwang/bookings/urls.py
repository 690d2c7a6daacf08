from django.urls import path

from yiwang.bookings import staff_views, views

app_name = "bookings"

urlpatterns = [
    path("new/", views.booking_new, name="new"),
    path("mine/", views.booking_mine, name="mine"),
    path("<int:booking_id>/cancel/", views.booking_cancel, name="cancel"),
    path("hall/<int:hall_id>/take/", views.kiosk, name="kiosk"),
    path("hall/<int:hall_id>/ticket/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("hall/<int:hall_id>/screen/", views.screen, name="screen"),
    path("staff/queue/", staff_views.queue, name="queue"),
    path("staff/queue/<int:window_id>/call/", staff_views.call_next, name="call_next"),
    path("staff/queue/<int:window_id>/check-in/", staff_views.check_in, name="staff_check_in"),
    path(
        "staff/tickets/<int:ticket_id>/<str:action>/",
        staff_views.ticket_action,
        name="ticket_action",
    ),
]
