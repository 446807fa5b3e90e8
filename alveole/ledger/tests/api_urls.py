"""A URLconf for the API tests of the ledger, until alveole/api.py mounts its router: the
same token auth and the same error handlers as the project's API."""

from django.urls import path
from ninja import NinjaAPI

from alveole.api import api as project_api
from alveole.ledger.api import router as ledger_router
from alveole.people.auth import TokenAuth

api = NinjaAPI(auth=TokenAuth(), urls_namespace="ledger-tests-api")
api._exception_handlers = dict(project_api._exception_handlers)
api.add_router("/ledger", ledger_router)

urlpatterns = [path("api/", api.urls)]
