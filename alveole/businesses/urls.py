from django.urls import path

from alveole.businesses import views

app_name = "businesses"
urlpatterns = [
    path("", views.business_list, name="list"),
    path("new/", views.business_create, name="create"),
    path("<int:pk>/", views.business_detail, name="detail"),
    path("<int:pk>/edit/", views.business_edit, name="edit"),
    path("<int:pk>/members/add/", views.membership_add, name="membership_add"),
]
