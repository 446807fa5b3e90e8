"""URLs for the sales API tests until alveole/api.py mounts the router: a twin of the
project's API (same auth, same error handlers) with the sales router under /api/sales/."""

from django.urls import path
from ninja import NinjaAPI

from alveole.api import api
from alveole.people.auth import TokenAuth
from alveole.sales.api import router
from alveole.urls import urlpatterns as project_urlpatterns

mounted = any(prefix.strip("/") == "sales" for prefix, _router in api._routers)
if mounted:
    urlpatterns = project_urlpatterns
else:
    twin = NinjaAPI(auth=TokenAuth(), urls_namespace="sales-api-tests", docs_url=None)
    twin._exception_handlers.update(api._exception_handlers)
    twin.add_router("/sales", router)
    urlpatterns = [path("api/", twin.urls), *project_urlpatterns]
