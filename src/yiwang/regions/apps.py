from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yiwang.regions"
    label = "regions"
    verbose_name = "区划与部门"
