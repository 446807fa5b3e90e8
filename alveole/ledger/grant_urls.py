"""The grant pages that write, at their paths among the cooperative's pages: alveole/urls.py
adds them to `coop`'s URL patterns under the `coop` namespace, so that their names and
addresses stay those of the cooperative's grant pages."""

from django.urls import path

from alveole.ledger import grant_views

urlpatterns = [
    path("grants/new/", grant_views.grant_create, name="grant_create"),
    path("grants/<int:pk>/edit/", grant_views.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/delete/", grant_views.grant_delete, name="grant_delete"),
]
