from django.urls import path

from alveole.reports import report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", report_views.report_page, name="report_index"),
    path("report/<int:year>/", report_views.report_page, name="report"),
    path("report/<int:year>/pdf/", report_views.report_pdf, name="report_pdf"),
]
