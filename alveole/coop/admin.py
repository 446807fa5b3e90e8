"""Admin for the cooperative's reference data (director only)."""

from django.contrib import admin

from alveole.coop.models import FiscalYear, Office, PayrollParameters, PayrollRate, Sector
from alveole.core.admin import DirectorAdmin


@admin.register(Sector)
class SectorAdmin(DirectorAdmin):
    list_display = ("name", "code", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("name", "code")


@admin.register(Office)
class OfficeAdmin(DirectorAdmin):
    list_display = ("name", "city", "is_head_office")


@admin.register(FiscalYear)
class FiscalYearAdmin(DirectorAdmin):
    list_display = ("__str__", "start_date", "end_date", "closed")


class ReadOnlyDirectorAdmin(DirectorAdmin):
    """Dated payroll data is written by its services (a new version supersedes the old one,
    never an edit in place): the admin only shows it, with its sources."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PayrollRate)
class PayrollRateAdmin(ReadOnlyDirectorAdmin):
    list_display = (
        "label",
        "code",
        "base",
        "employee_rate",
        "employer_rate",
        "valid_from",
        "valid_to",
    )
    list_filter = ("base", "covered_by_reduction")
    search_fields = ("label", "code")


@admin.register(PayrollParameters)
class PayrollParametersAdmin(ReadOnlyDirectorAdmin):
    list_display = (
        "valid_from",
        "valid_to",
        "smic_hourly_cents",
        "smic_monthly_cents",
        "pmss_cents",
    )
