"""URLs for the support API tests until alveole/api.py mounts the router: a twin of the
project's API (same auth, same error handlers) with the support router under /api/support/."""

from django.urls import path
from ninja import NinjaAPI

from alveole.api import api
from alveole.people.auth import TokenAuth
from alveole.support.api import router
from alveole.urls import urlpatterns as project_urlpatterns

mounted = any(prefix.strip("/") == "support" for prefix, _router in api._routers)
if mounted:
    urlpatterns = project_urlpatterns
else:
    twin = NinjaAPI(auth=TokenAuth(), urls_namespace="support-api-tests", docs_url=None)
    twin._exception_handlers.update(api._exception_handlers)
    twin.add_router("/support", router)
    urlpatterns = [path("api/", twin.urls), *project_urlpatterns]
