from django.urls import path

from alveole.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<str:number>/edit/", views.account_edit, name="account_edit"),
    path("journals/", views.journals, name="journals"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("treasury/", views.treasury_all, name="treasury_all"),
    path("treasury/<int:pk>/", views.treasury, name="treasury"),
    path("treasury/<int:pk>/<slug:key>/", views.treasury_lines, name="treasury_lines"),
    path("vat/", views.vat, name="vat"),
    path("vat/return/", views.vat_return, name="vat_return"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/<int:year_pk>/<slug:kind>/", views.export_download, name="export"),
    path("closing/", views.closing, name="closing"),
    path("closing/<int:pk>/fiscal-year/", views.fiscal_year_close, name="fiscal_year_close"),
]
