from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """City name, platform name and hotline for the shared layout."""
    return {"site": settings.YIWANG}
