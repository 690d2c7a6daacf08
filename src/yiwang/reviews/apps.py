from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.reviews"
    label = "reviews"
    verbose_name = "好差评"

    def ready(self) -> None:
        from yiwang.core.workdays import register_deadline_recomputer
        from yiwang.reviews.services import tickets_recompute_for_year

        register_deadline_recomputer("reviews", tickets_recompute_for_year)
