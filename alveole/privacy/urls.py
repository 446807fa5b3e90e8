from django.urls import path

from alveole.privacy import views

app_name = "privacy"
urlpatterns = [
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_csv, name="audit_csv"),
    path(
        "privacy/people/<int:person_pk>/export.json", views.person_export_json, name="export_json"
    ),
    path("privacy/people/<int:person_pk>/export.pdf", views.person_export_pdf, name="export_pdf"),
    path("privacy/people/<int:person_pk>/erase/", views.person_erase, name="erase"),
    path("privacy/erasures/<int:pk>/", views.erasure_report, name="erasure_report"),
    path("privacy/retention/", views.retention, name="retention"),
    path("privacy/retention/<int:person_pk>/erase/", views.retention_erase, name="retention_erase"),
]
