from django.apps import AppConfig


class BookingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.bookings"
    label = "bookings"
    verbose_name = "预约与排队"
