from django.urls import path

from alveole.coop import views

app_name = "coop"
urlpatterns = [path("", views.cooperative_settings, name="settings")]
