from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.reporting"
    label = "reporting"
    verbose_name = "数据上报"
