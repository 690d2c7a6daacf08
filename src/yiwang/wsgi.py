"""WSGI entry point: `granian --interface wsgi yiwang.wsgi:application` (see `yiwang serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
application = get_wsgi_application()
