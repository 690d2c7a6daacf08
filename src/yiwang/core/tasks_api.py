"""Django's task API: `django.tasks` on Django 6+, the `django-tasks` backport on 5.2."""

from __future__ import annotations

try:  # pragma: no cover - depends on the Django version
    from django.tasks import task  # type: ignore[import-untyped,import-not-found,unused-ignore]
except ImportError:  # pragma: no cover
    from django_tasks import task

__all__ = ["task"]
