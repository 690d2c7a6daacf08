from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Matter management (事项管理): basic catalog, implementation items, versions, the guide."""

    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = "事项管理"
