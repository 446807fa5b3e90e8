"""The cooperative's pages. The grant pages that write (`grant_create`, `grant_edit`,
`grant_delete`) are the ledger's (alveole/ledger/grant_urls.py): alveole/urls.py mounts them
here, under the same namespace and paths."""

from django.urls import path

from alveole.coop import views

app_name = "coop"
urlpatterns = [
    path("", views.cooperative_settings, name="settings"),
    path("grants/", views.grant_list, name="grants"),
]
