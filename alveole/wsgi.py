"""WSGI entry point (gunicorn alveole.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
application = get_wsgi_application()

# Import every view now (the URLconf imports them all: about 2 s of CPU, the charts'
# matplotlib among them) instead of at each worker's first request. With gunicorn's
# `preload_app`, the workers are forked from a process that already holds them: a restart
# (`max_requests`) or a new worker answers its first request at once.
get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
