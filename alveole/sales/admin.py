"""Admin of sales: documents are read-only here; numbering and settings go through services."""

from __future__ import annotations

from django.contrib import admin

from alveole.sales.models import (
    Customer,
    Invoice,
    InvoiceLine,
    NumberingSeries,
    Payment,
    PlatformStatus,
    Quote,
    SalesSettings,
)
from alveole.sales.services import numbering_series_update, sales_settings_update


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looking only: every write goes through the sales services and their rules."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = (
        "position",
        "line_type",
        "description",
        "quantity",
        "unit_price",
        "vat_rate",
        "net_cents",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "kind",
        "business",
        "customer",
        "issue_date",
        "status",
        "total_incl_vat_cents",
    )
    list_filter = ("kind", "status")
    search_fields = ("number", "customer__name", "business__code")
    inlines = [InvoiceLineInline]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "business", "city")
    search_fields = ("name", "siren")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "business", "customer", "issue_date", "status")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "date", "amount_cents", "method")


@admin.register(PlatformStatus)
class PlatformStatusAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "code", "label", "flow_id", "at")
    list_filter = ("code",)


@admin.register(NumberingSeries)
class NumberingSeriesAdmin(admin.ModelAdmin):
    list_display = ("document_kind", "pattern", "scope")
    fields = ("document_kind", "pattern", "scope")

    def get_readonly_fields(self, request, obj=None):
        return ("document_kind",) if obj else ()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        numbering_series_update(
            actor=request.user, series=obj, pattern=obj.pattern, scope=obj.scope
        )


@admin.register(SalesSettings)
class SalesSettingsAdmin(admin.ModelAdmin):
    list_display = ("business", "requires_validation", "payment_terms_days")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        sales_settings_update(
            actor=request.user,
            business=obj.business,
            **{name: form.cleaned_data[name] for name in form.changed_data if name != "business"},
        )
