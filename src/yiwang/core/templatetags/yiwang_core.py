from django import template
from django.utils import timezone

from yiwang.core.workdays import missing_years

register = template.Library()


@register.simple_tag
def calendar_missing_years() -> list[int]:
    """Years (this and next) with no holiday schedule: deadlines into them are provisional."""
    return missing_years(today=timezone.localdate())
