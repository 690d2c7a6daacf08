"""WSGI entry point: `granian --interface wsgi yiwang.wsgi:application` (see `yiwang serve`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018  import every view now, not on the first request

# What is loaded now (Django, the apps, the settings) lives as long as the process: the
# collector need not walk it again, and a request's short-lived objects are collected less
# often. Measured on the scale-1 data (docs/performance.md): about 5 % less CPU per request.
gc.freeze()
gc.set_threshold(7000, 10, 10)
