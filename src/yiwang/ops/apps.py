from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: `yiwang serve`, `yiwang worker`, `yiwang demo`."""

    name = "yiwang.ops"
    label = "ops"
    verbose_name = "运行"
