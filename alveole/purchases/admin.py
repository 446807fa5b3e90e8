"""Admin of purchases: the mileage scale is reference data (director); documents are read-only
here, every write goes through the purchases services."""

from __future__ import annotations

from django.contrib import admin

from alveole.core.admin import DirectorAdmin
from alveole.purchases.models import (
    ExpenseReport,
    MileageBand,
    MileageScale,
    Supplier,
    SupplierInvoice,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looking only: suppliers, invoices and reports change through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MileageBandInline(admin.TabularInline):
    model = MileageBand
    extra = 0


@admin.register(MileageScale)
class MileageScaleAdmin(DirectorAdmin):
    """A new year's scale is entered here once published (trips already priced keep theirs)."""

    list_display = ("year", "valid_from", "electric_bonus_percent")
    inlines = [MileageBandInline]


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("name", "siren", "vat_number", "city", "country", "internal_business")
    search_fields = ("name", "siren", "vat_number")


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "supplier",
        "business",
        "issue_date",
        "status",
        "origin",
        "total_incl_vat_cents",
    )
    list_filter = ("status", "origin", "category")
    search_fields = ("number", "supplier__name")


@admin.register(ExpenseReport)
class ExpenseReportAdmin(ReadOnlyAdmin):
    list_display = ("month", "person", "business", "status", "total_cents")
    list_filter = ("status",)
