from django.urls import path

from alveole.reports import views

urlpatterns = [path("", views.home, name="home")]
