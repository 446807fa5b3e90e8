"""Alvéole's URLs: pages per app, the REST API under /api/, the admin for reference data."""

from django.contrib import admin
from django.urls import include, path

from alveole.api import api
from alveole.coop import urls as coop_urls
from alveole.ledger import grant_urls

admin.site.site_header = "Alvéole — administration"
admin.site.site_title = "Alvéole"

urlpatterns = [
    path("", include("alveole.core.urls")),
    path("", include("alveole.reports.urls")),
    # The grant pages that write post their entries: they are the ledger's (docs/adr/0012),
    # mounted here among the cooperative's pages, same names and paths.
    path(
        "cooperative/",
        include((coop_urls.urlpatterns + grant_urls.urlpatterns, coop_urls.app_name)),
    ),
    path("people/", include("alveole.people.urls")),
    path("businesses/", include("alveole.businesses.urls")),
    path("sales/", include("alveole.sales.urls")),
    path("ledger/", include("alveole.ledger.urls")),
    path("purchases/", include("alveole.purchases.urls")),
    path("payroll/", include("alveole.payroll.urls")),
    path("support/", include("alveole.support.urls")),
    path("governance/", include("alveole.governance.urls")),
    path("", include("alveole.privacy.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
