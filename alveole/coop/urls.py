from django.urls import path

from alveole.coop import views

app_name = "coop"
urlpatterns = [
    path("", views.cooperative_settings, name="settings"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/edit/", views.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/delete/", views.grant_delete, name="grant_delete"),
]
