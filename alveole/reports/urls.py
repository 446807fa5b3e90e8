from django.urls import path

from alveole.reports import funders, records, report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", report_views.report_page, name="report_index"),
    path("report/funders/", funders.funder_statistics, name="report_funders"),
    path("report/<int:year>/", report_views.report_page, name="report"),
    path(
        "report/<int:year>/figures/<slug:key>/",
        records.figure_records_page,
        name="report_records",
    ),
    path("report/<int:year>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("report/<int:year>/pdf/<int:pk>/", report_views.report_pdf_job, name="report_pdf_job"),
    path("report/<int:year>/pdf/<int:pk>/now/", report_views.report_pdf_now, name="report_pdf_now"),
    path(
        "report/<int:year>/pdf/<int:pk>/download/",
        report_views.report_pdf_download,
        name="report_pdf_download",
    ),
    path(
        "report/<int:year>/publication/",
        report_views.report_publication,
        name="report_publication",
    ),
]
