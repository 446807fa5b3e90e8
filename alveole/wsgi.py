"""WSGI entry point (gunicorn alveole.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
application = get_wsgi_application()
