"""A URLconf for the API tests of payroll and grants, until alveole/api.py mounts their
routers: the same token auth and the same error handlers as the project's API."""

from django.urls import path
from ninja import NinjaAPI

from alveole.api import api as project_api
from alveole.ledger.grant_api import router as grants_router
from alveole.payroll.api import router as payroll_router
from alveole.people.auth import TokenAuth

api = NinjaAPI(auth=TokenAuth(), urls_namespace="payroll-tests-api")
api._exception_handlers = dict(project_api._exception_handlers)
api.add_router("/payroll", payroll_router)
api.add_router("/cooperative", grants_router)

urlpatterns = [path("api/", api.urls)]
