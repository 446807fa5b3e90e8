from django.urls import path

from alveole.purchases import views

app_name = "purchases"
urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    # The main menu links to "purchases:home" when it exists (base.html).
    path("", views.invoice_list, name="home"),
    path("invoices/new/", views.invoice_create, name="invoice_create"),
    path("invoices/receive/", views.invoice_receive, name="invoice_receive"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/file/", views.invoice_file, name="invoice_file"),
    path("invoices/<int:pk>/<slug:action>/", views.invoice_action, name="invoice_action"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_form, name="supplier_create"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_form, name="supplier_edit"),
    path("expenses/", views.report_list, name="report_list"),
    path("expenses/new/", views.report_create, name="report_create"),
    path("expenses/<int:pk>/", views.report_detail, name="report_detail"),
    path("expenses/<int:pk>/lines/", views.report_add_line, name="report_add_line"),
    path("expenses/<int:pk>/trips/", views.report_add_trip, name="report_add_trip"),
    path(
        "expenses/<int:pk>/lines/<int:line_pk>/delete/",
        views.report_delete_line,
        name="report_delete_line",
    ),
    path(
        "expenses/<int:pk>/lines/<int:line_pk>/receipt/",
        views.report_receipt,
        name="report_receipt",
    ),
    path("expenses/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
]
