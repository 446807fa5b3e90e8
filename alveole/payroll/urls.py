from django.urls import path

from alveole.payroll import views

app_name = "payroll"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.record_create, name="create"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/delete/", views.record_delete, name="delete"),
    path("import/", views.record_import, name="import"),
    path("simulator/", views.simulator, name="simulator"),
    path("rates/", views.rates, name="rates"),
    path("contribution-rules/", views.rule_list, name="rules"),
    path("contribution-rules/new/", views.rule_create, name="rule_create"),
    path("contribution-rules/<int:pk>/end/", views.rule_end, name="rule_end"),
    path("contribution-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("contributions/run/", views.contributions_run, name="contributions_run"),
]
