from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件办理"

    def ready(self) -> None:
        from yiwang.cases.services import cases_recompute_for_year
        from yiwang.core.workdays import register_deadline_recomputer

        register_deadline_recomputer("cases", cases_recompute_for_year)
