"""Admin for the cooperative's reference data (director only)."""

from django.contrib import admin

from alveole.coop.models import FiscalYear, Office, Sector
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
