from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The staff workbench (工作台): pages for window officers, reviewers and administrators."""

    name = "yiwang.workbench"
    label = "workbench"
    verbose_name = "工作台"
