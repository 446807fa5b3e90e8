"""URLs for the purchases API tests until alveole/api.py mounts the router: a twin of the
project's API (same auth, same error handlers) with the purchases router under
/api/purchases/."""

from django.urls import path
from ninja import NinjaAPI

from alveole.api import api
from alveole.people.auth import TokenAuth
from alveole.purchases.api import router
from alveole.urls import urlpatterns as project_urlpatterns

mounted = any(prefix.strip("/") == "purchases" for prefix, _router in api._routers)
if mounted:
    urlpatterns = project_urlpatterns
else:
    twin = NinjaAPI(auth=TokenAuth(), urls_namespace="purchases-api-tests", docs_url=None)
    twin._exception_handlers.update(api._exception_handlers)
    twin.add_router("/purchases", router)
    urlpatterns = [path("api/", twin.urls), *project_urlpatterns]
