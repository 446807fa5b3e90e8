from django.urls import path

from alveole.sales import views

app_name = "sales"
urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_form, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_form, name="customer_edit"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/", views.quote_form, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_form, name="quote_edit"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf_view, name="quote_pdf"),
    path("quotes/<int:pk>/<slug:action>/", views.quote_action, name="quote_action"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/new/", views.invoice_form, name="invoice_create"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_form, name="invoice_edit"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
    path(
        "invoices/<int:pk>/einvoice/<slug:fmt>/",
        views.invoice_einvoice_view,
        name="invoice_einvoice",
    ),
    path("invoices/issue/", views.invoices_issue_view, name="invoices_issue"),
    path("invoices/<int:pk>/<slug:action>/", views.invoice_action, name="invoice_action"),
    path("credit-notes/", views.credit_note_list, name="credit_note_list"),
    path("payments/", views.payment_list, name="payment_list"),
    path("settings/<int:business_id>/", views.settings_form, name="settings"),
    path("internal-purchases/", views.purchase_list, name="purchase_list"),
]
