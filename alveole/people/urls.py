from django.urls import path

from alveole.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("account/", views.account, name="account"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/events/<slug:kind>/", views.person_event, name="event"),
]
