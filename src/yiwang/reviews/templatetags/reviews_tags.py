"""Template tags for the cases pages: a finished case's ratings with the 评价 button (the
applicant's case page), and the SMS-link address of a finished case (the public progress
page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.reviews import services
from yiwang.reviews.views import case_ratings, indicator_labels

register = template.Library()


@register.inclusion_tag("reviews/rate/_case_panel.html")
def case_rating_panel(case: Case) -> dict[str, Any]:
    """The case's ratings and the button to rate (or add the 追加评价) while one may be given.
    The page including it has checked that the viewer is the applicant."""
    ratings = case_ratings(case)
    rows = [{"review": r, "indicators": indicator_labels(r)} for r in ratings.reviews]
    return {"ratings": ratings, "rows": rows, "case": case}


@register.simple_tag
def review_invitation_url(case: Case) -> str:
    """`/r/<code>` for a finished case (the invitation is created once), else ""."""
    if case.state not in services.FINISHED:
        return ""
    invitation = services.invitation_for(case)
    if invitation.expires_at < timezone.now():
        return ""
    return reverse("review_link", args=[invitation.code])
